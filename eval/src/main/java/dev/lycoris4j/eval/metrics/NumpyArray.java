package dev.lycoris4j.eval.metrics;

import java.util.Arrays;

/**
 * An array read from a {@code .npy} file: its numpy dtype string ({@code <f4}, {@code <f2}, ...), shape
 * and elements widened to float64 in C order (exact for every supported dtype except int64 beyond 2^53).
 */
public record NumpyArray(String dtype, long[] shape, double[] values) {

    public NumpyArray {
        shape = shape.clone();
        long count = 1;
        for (long s : shape) count = Math.multiplyExact(count, s);
        if (count != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + values.length + " values");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The array as a matrix; it must be 2-D. */
    public DenseMatrix toMatrix() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("expected a 2-D array, got shape " + Arrays.toString(shape));
        }
        return new DenseMatrix(Math.toIntExact(shape[0]), Math.toIntExact(shape[1]), values);
    }
}
