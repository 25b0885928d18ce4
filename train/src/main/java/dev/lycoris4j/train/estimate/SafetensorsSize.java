package dev.lycoris4j.train.estimate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The size of the safetensors file {@code SafetensorsWriter} would write for some tensors, without writing it
 * or having their data: 8-byte header length, the compact JSON header (tensors ordered by dtype size, largest
 * first, then name; no {@code __metadata__}), padded with spaces to a multiple of 8, then the data.
 * {@code SafetensorsSizeTest} checks it byte for byte against files the writer produced.
 */
public final class SafetensorsSize {
    private SafetensorsSize() {}

    private static final JsonFactory JSON = new JsonFactory();

    /** A tensor as the header describes it. */
    public record Entry(String name, DType dtype, long[] shape) {
        public Entry {
            shape = shape.clone();
        }

        long bytes() {
            return Math.multiplyExact(Tensors.numel(shape), (long) dtype.byteSize());
        }
    }

    /** Total file bytes. */
    public static long fileBytes(List<Entry> tensors) {
        long data = 0;
        for (Entry e : tensors) data = Math.addExact(data, e.bytes());
        return 8 + headerBytes(tensors) + data;
    }

    /** The JSON header's length including its padding. */
    public static long headerBytes(List<Entry> tensors) {
        List<Entry> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparingInt((Entry e) -> -e.dtype().byteSize()).thenComparing(Entry::name));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
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
        return out.size() + (8 - out.size() % 8) % 8;
    }
}
