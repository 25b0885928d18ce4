package dev.lycoris4j.core.safetensors;

import dev.lycoris4j.core.safetensors.SafetensorsException.Defect;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file, memory-mapped and validated on {@link #open}; tensor data is touched only when asked for.
 * Files over 2 GiB work (all offsets are long).
 *
 * <p>Two ways to get a tensor, because a zero-copy tensor over a read-only mapping is not an ordinary tensor:
 * <ul>
 *   <li>{@link #tensor} and {@link #load} return owned tensors: safe to modify, independent of this file.
 *   <li>{@link #view} returns a zero-copy tensor over the mapping. It keeps the mapping alive until the view's
 *       storage is freed, so {@link #close} cannot pull memory from under it, but the mapping is read-only:
 *       writing into a view (in-place ops, {@code copy_} into it) is a segmentation fault, which would kill
 *       the JVM. Use views only as read sources, e.g. for {@code param.copy_(view)} or a dtype conversion.
 * </ul>
 * Like every memory-mapped reader, this assumes nobody truncates the file while it is open.
 * Thread-safe: the header is immutable and the mapping is reference-counted.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    private final SharedMapping mapping;
    private final Map<String, TensorInfo> infos;
    private final List<String> names;
    private final List<TensorInfo> tensorInfos;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(Path path, SharedMapping mapping, HeaderParser.Header header) {
        this.path = path;
        this.mapping = mapping;
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors()) byName.put(t.name(), t);
        this.infos = Collections.unmodifiableMap(byName);
        this.names = List.copyOf(byName.keySet());
        this.tensorInfos = header.tensors();
        this.metadata = header.metadata();
    }

    /** Validates the header, then maps the file; throws {@link SafetensorsException} naming any defect. */
    public static SafetensorsFile open(Path path) throws SafetensorsException {
        // The header is read and checked before mapping: a rejected file never costs a (shared) mapping.
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new SafetensorsException(path, null, Defect.FILE_TOO_SHORT, size + " bytes");
            long n = readFully(path, ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (Long.compareUnsigned(n, HeaderParser.MAX_HEADER_BYTES) > 0) {
                throw new SafetensorsException(path, null, Defect.HEADER_TOO_LARGE, Long.toUnsignedString(n)
                        + " bytes, the limit is " + HeaderParser.MAX_HEADER_BYTES);
            }
            if (n > size - 8) {
                throw new SafetensorsException(path, null, Defect.HEADER_LENGTH_OUT_OF_BOUNDS,
                        n + " header bytes declared but only " + (size - 8) + " follow the length prefix");
            }
            byte[] headerBytes = readFully(path, ch, 8, (int) n).array();
            HeaderParser.Header header = HeaderParser.parse(path, headerBytes, 8 + n, size - 8 - n);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                return new SafetensorsFile(path, new SharedMapping(path, arena, file), header);
            } catch (Throwable t) {
                arena.close();
                throw t;
            }
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            throw new SafetensorsException(path, null, Defect.UNREADABLE, e.toString(), e);
        }
    }

    private static ByteBuffer readFully(Path path, FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (ch.read(buffer, position + buffer.position()) < 0) {
                throw new SafetensorsException(path, null, Defect.UNREADABLE, "the file shrank while being read");
            }
        }
        return buffer.clear();
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return names;
    }

    public boolean contains(String name) {
        return infos.containsKey(name);
    }

    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo t = infos.get(name);
        if (t == null) throw new SafetensorsException(path, name, Defect.NO_SUCH_TENSOR, names.size() + " tensors");
        return t;
    }

    /** The {@code __metadata__} entries in file order; empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The tensor's raw little-endian bytes: a read-only slice of the mapping, no copy. Usable until the file is
     * closed and its last view freed; after that, access throws IllegalStateException (never reads freed memory).
     */
    public MemorySegment bytes(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        checkOpen();
        return mapping.segment().asSlice(t.byteOffset(), t.byteLength());
    }

    /** An owned CPU copy in the file's dtype and shape. */
    public Tensor tensor(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        acquire();
        try {
            return copyOf(t);
        } finally {
            mapping.release();
        }
    }

    /**
     * A zero-copy, READ-ONLY CPU tensor over the mapping (see the class comment: never write into it).
     * Falls back to an owned copy when the data is not aligned for its dtype or the tensor is empty.
     */
    public Tensor view(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        acquire();
        long address = mapping.segment().address() + t.byteOffset();
        if (t.byteLength() == 0 || address % t.dtype().byteSize() != 0) {
            try {
                return copyOf(t);
            } finally {
                mapping.release();
            }
        }
        // From here the reference belongs to the view; libtorch's deleter releases it. Not released on a
        // failure either: an exception after from_blob stored the deleter could release it twice, and a
        // leaked mapping is harmless where a premature unmap is not.
        try (TensorOptions options = Tensors.options(t.dtype())) {
            return torch.from_blob(new RawPointer(address), t.shape(), SharedMapping.RELEASE_VIEW, options);
        }
    }

    /** An owned CPU tensor converted to {@code target} (for example F16, BF16 or F8 weights to F32). */
    public Tensor load(String name, DType target) throws SafetensorsException {
        TensorInfo t = info(name);
        if (t.dtype() == target) return tensor(name);
        try (Tensor v = view(name)) {
            return v.to(target.scalarType());
        }
    }

    /** Every tensor as an owned copy in the file's dtype, in header order. */
    public Map<String, Tensor> loadAll() throws SafetensorsException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : names) out.put(n, tensor(n));
        return out;
    }

    /** Every tensor as an owned copy converted to {@code target}, in header order. */
    public Map<String, Tensor> loadAll(DType target) throws SafetensorsException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : names) out.put(n, load(n, target));
        return out;
    }

    /** Infos of all tensors, in header order. */
    public List<TensorInfo> infos() {
        return tensorInfos;
    }

    /** Releases this file's hold on the mapping; live views keep it mapped until they are freed. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        mapping.release();
    }

    /** Byte-for-byte copy into fresh libtorch memory, which is aligned whatever the file's layout. */
    private Tensor copyOf(TensorInfo t) {
        Tensor out;
        try (TensorOptions options = Tensors.options(t.dtype())) {
            out = torch.empty(t.shape(), options, null);
        }
        if (t.byteLength() > 0) {
            MemorySegment dst = MemorySegment.ofAddress(out.data_ptr().address()).reinterpret(t.byteLength());
            MemorySegment.copy(mapping.segment(), t.byteOffset(), dst, 0, t.byteLength());
        }
        return out;
    }

    private void acquire() {
        if (closed || !mapping.tryAcquire()) throw new IllegalStateException(path + " is closed");
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(path + " is closed");
    }

    /** A JavaCPP pointer to a raw native address (the mapped data); it owns nothing. */
    private static final class RawPointer extends Pointer {
        RawPointer(long address) {
            this.address = address;
        }
    }
}
