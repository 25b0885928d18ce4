package dev.lycoris4j.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a file, held by this process until closed; other processes see it as taken. The operating
 * system drops it when the process ends in any way (kill -9 included), so a lock file left on disk never blocks a
 * later run: only a live holder does.
 */
public final class ProcessLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private ProcessLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock on {@code file} (created if missing), or returns null when another holder has it. */
    public static ProcessLock tryAcquire(Path file) throws IOException {
        FileChannel channel = open(file);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldHere) {
            // Held by this very process (through another channel): taken all the same.
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            return null;
        }
        return new ProcessLock(channel, lock);
    }

    /**
     * Waits until another process's lock on {@code file} is released, then takes it. It waits for other processes
     * only: a lock this process holds makes it fail ({@link OverlappingFileLockException}).
     */
    public static ProcessLock acquire(Path file) throws IOException {
        FileChannel channel = open(file);
        try {
            return new ProcessLock(channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static FileChannel open(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
