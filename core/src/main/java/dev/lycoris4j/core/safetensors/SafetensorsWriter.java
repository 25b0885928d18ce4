package dev.lycoris4j.core.safetensors;

import dev.lycoris4j.core.io.AtomicFiles;
import dev.lycoris4j.core.io.IoConsumer;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files in the reference Rust library's {@link SafetensorsLayout}. Tensor bytes are streamed
 * one tensor at a time, so writing a model needs no second copy of it on the heap; with {@link #writeStreamed} a
 * tensor is even computed only when its turn comes (a merge never holds base and result together). The write is
 * atomic ({@link AtomicFiles}).
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** Channel writes go through ByteBuffers, which are int-indexed. */
    private static final long CHUNK_BYTES = 1L << 24;

    /** Produces one tensor's bytes, in order, into the sink. */
    @FunctionalInterface
    public interface Body {
        void writeTo(IoConsumer<ByteBuffer> sink) throws IOException;
    }

    /** A tensor to write: its header entry, and the code that produces exactly {@code entry.bytes()} bytes. */
    public record Streamed(SafetensorsLayout.Entry entry, Body body) {}

    /**
     * Writes every tensor in its own dtype (convert first if needed); non-contiguous and non-CPU tensors are
     * handled. {@code metadata} may be null or empty (then no {@code __metadata__} entry is written).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Streamed> streamed = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            SafetensorsLayout.Entry entry = entry(file, e.getKey(), e.getValue());
            Tensor t = e.getValue();
            streamed.add(new Streamed(entry, sink -> writeData(sink, t, entry.bytes())));
        }
        writeStreamed(file, streamed, metadata);
    }

    /** Writes tensors whose bytes the bodies produce while the file is written, each checked against its header entry. */
    public static void writeStreamed(Path file, List<Streamed> tensors, Map<String, String> metadata) throws IOException {
        List<Streamed> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparing(Streamed::entry, SafetensorsLayout.FILE_ORDER));
        List<SafetensorsLayout.Entry> entries = new ArrayList<>(ordered.size());
        for (Streamed s : ordered) entries.add(s.entry());
        byte[] header = SafetensorsLayout.header(entries, metadata == null ? Map.of() : metadata);
        AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            for (Streamed s : ordered) {
                SafetensorsLayout.Entry e = s.entry();
                long[] written = {0};
                s.body().writeTo(buffer -> {
                    written[0] += buffer.remaining();
                    AtomicFiles.writeFully(ch, buffer);
                });
                if (written[0] != e.bytes()) {
                    throw new IllegalStateException(file + ": tensor '" + e.name() + "' produced " + written[0]
                            + " bytes, its header says " + e.bytes());
                }
            }
        });
    }

    private static SafetensorsLayout.Entry entry(Path file, String name, Tensor t) {
        if (name == null || name.equals(HeaderParser.METADATA_KEY)) {
            throw new IllegalArgumentException(file + ": invalid tensor name " + name);
        }
        if (t == null || !t.defined()) throw new IllegalArgumentException(file + ": tensor '" + name + "' is undefined");
        DType dtype;
        try {
            dtype = Tensors.dtype(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "': " + e.getMessage(), e);
        }
        return new SafetensorsLayout.Entry(name, dtype, Tensors.shape(t));
    }

    /** Streams one tensor's bytes (made contiguous on the CPU; the host is little-endian like the format). */
    private static void writeData(IoConsumer<ByteBuffer> sink, Tensor tensor, long bytes) throws IOException {
        if (bytes == 0) return;
        try (PointerScope scope = new PointerScope()) {
            Tensor cpu = tensor.detach().cpu().contiguous();
            MemorySegment src = MemorySegment.ofAddress(cpu.data_ptr().address()).reinterpret(bytes);
            for (long pos = 0; pos < bytes; pos += CHUNK_BYTES) {
                sink.accept(src.asSlice(pos, Math.min(CHUNK_BYTES, bytes - pos)).asByteBuffer());
            }
        }
    }
}
