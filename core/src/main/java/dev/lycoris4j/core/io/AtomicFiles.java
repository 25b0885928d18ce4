package dev.lycoris4j.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every file this project writes goes through here: the content goes to a temporary file in the target's
 * directory, is forced to disk, and is renamed onto the target in one atomic step. A crash or an exception
 * midway leaves the old target untouched and no temporary file behind (unless the process dies outright).
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes {@code target} atomically; {@code body} writes the whole content into the channel. */
    public static void write(Path target, IoConsumer<FileChannel> body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = dir.resolve(temporaryName(absolute.getFileName().toString()));
        try {
            // CREATE_NEW: never clobber a stranger's file; default permissions, unlike Files.createTempFile (0600).
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.accept(ch);
                ch.force(true);
            }
            // rename(2): replaces the target atomically; the same directory guarantees the same file system.
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
        syncDirectory(dir);
    }

    /**
     * Writes {@code target} atomically through a buffered stream. The stream given to {@code body} ignores
     * close() (many writers close their target), so the file is still forced to disk before the rename.
     */
    public static void writeStream(Path target, IoConsumer<OutputStream> body) throws IOException {
        write(target, ch -> {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            body.accept(out);
            out.flush();
        });
    }

    public static void writeBytes(Path target, byte[] content) throws IOException {
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(content)));
    }

    public static void writeString(Path target, String content) throws IOException {
        writeBytes(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Channel writes may be partial; this loops until the buffer is drained. */
    public static void writeFully(WritableByteChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) ch.write(buffer);
    }

    /** Hidden, unique, and short enough for a 255-byte name limit whatever the target's name. */
    private static String temporaryName(String fileName) {
        String base = fileName.length() > 100 ? fileName.substring(0, 100) : fileName;
        return "." + base + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
    }

    /** Makes the rename itself durable. Best effort: some platforms (Windows) cannot open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // The data itself is already durable; only the rename may be lost on power failure.
        }
    }
}
