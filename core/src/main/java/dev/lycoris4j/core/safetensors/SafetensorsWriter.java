package dev.lycoris4j.core.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lycoris4j.core.io.AtomicFiles;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files the way the reference Rust library does: tensors ordered by dtype alignment
 * (largest first, so every tensor stays aligned) then name, compact JSON header with {@code __metadata__}
 * first, padded with spaces to a multiple of 8. Tensor bytes are streamed one tensor at a time, so writing a
 * model needs no second copy of it on the heap. The write is atomic ({@link AtomicFiles}).
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    private static final JsonFactory JSON = new JsonFactory();
    /** Channel writes go through ByteBuffers, which are int-indexed. */
    private static final long CHUNK_BYTES = 1L << 24;

    private record Item(String name, Tensor tensor, DType dtype, long[] shape, long bytes) {}

    /**
     * Writes every tensor in its own dtype (convert first if needed); non-contiguous and non-CPU tensors are
     * handled. {@code metadata} may be null or empty (then no {@code __metadata__} entry is written).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Item> items = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) items.add(item(file, e.getKey(), e.getValue()));
        items.sort(Comparator.comparingInt((Item i) -> -i.dtype.byteSize()).thenComparing(Item::name));
        byte[] header = header(items, metadata == null ? Map.of() : metadata);
        AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            for (Item item : items) writeData(ch, item);
        });
    }

    private static Item item(Path file, String name, Tensor t) {
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
        long[] shape = Tensors.shape(t);
        long bytes = Math.multiplyExact(Tensors.numel(shape), (long) dtype.byteSize());
        return new Item(name, t, dtype, shape, bytes);
    }

    private static byte[] header(List<Item> items, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(HeaderParser.METADATA_KEY);
                for (Map.Entry<String, String> m : metadata.entrySet()) g.writeStringField(m.getKey(), m.getValue());
                g.writeEndObject();
            }
            long offset = 0;
            for (Item item : items) {
                g.writeObjectFieldStart(item.name);
                g.writeStringField("dtype", item.dtype.safetensorsName());
                g.writeFieldName("shape");
                g.writeArray(item.shape, 0, item.shape.length);
                g.writeFieldName("data_offsets");
                g.writeArray(new long[] {offset, offset + item.bytes}, 0, 2);
                g.writeEndObject();
                offset += item.bytes;
            }
            g.writeEndObject();
        }
        int padding = (8 - out.size() % 8) % 8;
        for (int i = 0; i < padding; i++) out.write(' ');
        return out.toByteArray();
    }

    /** Streams one tensor's bytes (made contiguous on the CPU; the host is little-endian like the format). */
    private static void writeData(FileChannel ch, Item item) throws IOException {
        if (item.bytes == 0) return;
        try (PointerScope scope = new PointerScope()) {
            Tensor cpu = item.tensor.detach().cpu().contiguous();
            MemorySegment src = MemorySegment.ofAddress(cpu.data_ptr().address()).reinterpret(item.bytes);
            for (long pos = 0; pos < item.bytes; pos += CHUNK_BYTES) {
                AtomicFiles.writeFully(ch, src.asSlice(pos, Math.min(CHUNK_BYTES, item.bytes - pos)).asByteBuffer());
            }
        }
    }
}
