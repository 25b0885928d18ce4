package dev.lycoris4j.core.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The layout the reference Rust library gives a file: tensors ordered by dtype size (largest first, so every
 * tensor stays aligned) then name, a compact JSON header with {@code __metadata__} first, padded with spaces to a
 * multiple of 8. The writer and size estimates without any tensor data both use it.
 */
public final class SafetensorsLayout {
    private SafetensorsLayout() {}

    private static final JsonFactory JSON = new JsonFactory();

    /** A tensor as the header describes it. */
    public record Entry(String name, DType dtype, long[] shape) {
        public Entry {
            shape = shape.clone();
        }

        /** The tensor's data bytes. */
        public long bytes() {
            return Math.multiplyExact(Tensors.numel(shape), (long) dtype.byteSize());
        }
    }

    /** File order: dtype size, largest first, then name. */
    public static final Comparator<Entry> FILE_ORDER =
            Comparator.comparingInt((Entry e) -> -e.dtype().byteSize()).thenComparing(Entry::name);

    /** The entries in file order. */
    public static List<Entry> ordered(Collection<Entry> entries) {
        List<Entry> ordered = new ArrayList<>(entries);
        ordered.sort(FILE_ORDER);
        return ordered;
    }

    /** The padded JSON header for entries already in file order; {@code metadata} may be empty. */
    public static byte[] header(List<Entry> ordered, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(HeaderParser.METADATA_KEY);
                for (Map.Entry<String, String> m : metadata.entrySet()) g.writeStringField(m.getKey(), m.getValue());
                g.writeEndObject();
            }
            long offset = 0;
            for (Entry e : ordered) {
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", e.dtype().safetensorsName());
                g.writeFieldName("shape");
                g.writeArray(e.shape(), 0, e.shape().length);
                g.writeFieldName("data_offsets");
                g.writeArray(new long[] {offset, offset + e.bytes()}, 0, 2);
                g.writeEndObject();
                offset += e.bytes();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory stream does not fail
        }
        int padding = (8 - out.size() % 8) % 8;
        for (int i = 0; i < padding; i++) out.write(' ');
        return out.toByteArray();
    }

    /** The size of the file holding these tensors: 8-byte length, header, data. */
    public static long fileBytes(Collection<Entry> entries, Map<String, String> metadata) {
        long data = 0;
        for (Entry e : entries) data = Math.addExact(data, e.bytes());
        return 8 + header(ordered(entries), metadata).length + data;
    }
}
