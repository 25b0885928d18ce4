package dev.lycoris4j.core.safetensors;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-made safetensors bytes and raw tensor bytes for tests. */
final class Fixtures {
    private Fixtures() {}

    /** Length prefix, the header exactly as given (no padding), then {@code data}. */
    static byte[] file(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    static byte[] file(String header, int dataBytes) {
        return file(header.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]);
    }

    /** Plain write: these are scratch inputs in a JUnit temp dir, where durability does not matter. */
    static Path put(Path dir, String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    /** A CPU tensor holding exactly {@code bytes} as its little-endian data. */
    static Tensor fromBytes(DType dtype, long[] shape, byte[] bytes) {
        Tensor t = torch.empty(shape, Tensors.options(dtype), null);
        if (bytes.length != t.nbytes()) throw new IllegalArgumentException(bytes.length + " bytes for " + t.nbytes());
        if (bytes.length > 0) {
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0,
                    MemorySegment.ofAddress(t.data_ptr().address()).reinterpret(bytes.length), 0, bytes.length);
        }
        return t;
    }

    /** The tensor's data bytes in row-major order. */
    static byte[] bytesOf(Tensor t) {
        Tensor c = t.contiguous();
        if (c.nbytes() == 0) return new byte[0];
        return MemorySegment.ofAddress(c.data_ptr().address()).reinterpret(c.nbytes()).toArray(ValueLayout.JAVA_BYTE);
    }
}
