package dev.lycoris4j.adapters.merge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lycoris4j.core.io.AtomicFiles;
import dev.lycoris4j.core.io.IoConsumer;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file whose tensors are produced one at a time, while the file is written: a merge
 * computes each changed weight only when its turn comes, so base and result never sit in memory together.
 * (Core's {@code SafetensorsWriter} takes finished tensors.) Same layout as the reference writer: tensors by
 * dtype size, largest first, then by name, so every tensor stays aligned; header padded with spaces to 8 bytes.
 */
final class StreamingSafetensorsWriter {
    private StreamingSafetensorsWriter() {}

    /** Produces one tensor's bytes, in order, into the sink. */
    @FunctionalInterface
    interface Body {
        void writeTo(IoConsumer<ByteBuffer> sink) throws IOException;
    }

    /** A tensor to write: its header entry, and the code that produces exactly {@code dtype × shape} bytes. */
    record Entry(String name, DType dtype, long[] shape, Body body) {
        long byteLength() {
            return Math.multiplyExact(Tensors.numel(shape), (long) dtype.byteSize());
        }
    }

    static void write(Path file, List<Entry> entries, Map<String, String> metadata) throws IOException {
        List<Entry> ordered = new ArrayList<>(entries);
        ordered.sort(Comparator.comparingInt((Entry e) -> -e.dtype().byteSize()).thenComparing(Entry::name));
        byte[] header = header(ordered, metadata);
        AtomicFiles.write(file, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            for (Entry e : ordered) {
                long[] written = {0};
                e.body().writeTo(buffer -> {
                    written[0] += buffer.remaining();
                    AtomicFiles.writeFully(ch, buffer);
                });
                if (written[0] != e.byteLength()) {
                    throw new IllegalStateException(file + ": tensor '" + e.name() + "' produced " + written[0]
                            + " bytes, its header says " + e.byteLength());
                }
            }
        });
    }

    private static byte[] header(List<Entry> entries, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> m : metadata.entrySet()) g.writeStringField(m.getKey(), m.getValue());
                g.writeEndObject();
            }
            long offset = 0;
            for (Entry e : entries) {
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", e.dtype().safetensorsName());
                g.writeFieldName("shape");
                g.writeArray(e.shape(), 0, e.shape().length);
                g.writeFieldName("data_offsets");
                g.writeArray(new long[] {offset, offset + e.byteLength()}, 0, 2);
                g.writeEndObject();
                offset += e.byteLength();
            }
            g.writeEndObject();
        }
        int padding = (8 - out.size() % 8) % 8;
        for (int i = 0; i < padding; i++) out.write(' ');
        return out.toByteArray();
    }
}
