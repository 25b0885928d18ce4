package dev.lycoris4j.adapters.io;

import dev.lycoris4j.core.io.IoConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** A tensor's raw bytes as safetensors stores them: row-major, little-endian (the host order on x86 and arm64). */
public final class TensorBytes {
    private TensorBytes() {}

    /** ByteBuffers are int-indexed, so large tensors go out in slices. */
    private static final long CHUNK_BYTES = 1L << 24;

    /** Hands the bytes to {@code sink} in order, in slices valid only during each call. */
    public static void stream(Tensor tensor, IoConsumer<ByteBuffer> sink) throws IOException {
        long bytes = tensor.nbytes();
        if (bytes == 0) return;
        try (PointerScope scope = new PointerScope()) {
            Tensor cpu = tensor.detach().cpu().contiguous();
            stream(MemorySegment.ofAddress(cpu.data_ptr().address()).reinterpret(bytes), sink);
        }
    }

    /** Hands the bytes of {@code segment} (e.g. a tensor's slice of a mapped file) to {@code sink}, in order. */
    public static void stream(MemorySegment segment, IoConsumer<ByteBuffer> sink) throws IOException {
        long bytes = segment.byteSize();
        for (long pos = 0; pos < bytes; pos += CHUNK_BYTES) {
            sink.accept(segment.asSlice(pos, Math.min(CHUNK_BYTES, bytes - pos)).asByteBuffer());
        }
    }
}
