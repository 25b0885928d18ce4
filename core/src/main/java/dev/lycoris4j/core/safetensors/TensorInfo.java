package dev.lycoris4j.core.safetensors;

import dev.lycoris4j.core.tensor.DType;

import java.util.Arrays;
import java.util.Objects;

/**
 * One header entry, validated: the tensor's bytes are {@code byteLength} bytes at absolute file position
 * {@code byteOffset} (data section start plus the entry's begin offset), and
 * {@code byteLength == dtype.byteSize() * product(shape)}.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long byteOffset, long byteLength) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A copy: the record stays immutable. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return byteLength / dtype.byteSize();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && byteOffset == t.byteOffset && byteLength == t.byteLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), byteOffset, byteLength);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @" + byteOffset + "+" + byteLength;
    }
}
