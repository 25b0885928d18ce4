package dev.lycoris4j.eval.metrics;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * A row-major float64 matrix: feature sets (one row per image or prompt) and kernel matrices.
 * Instances are never written to after construction; operations return new matrices.
 */
public record DenseMatrix(int rows, int cols, double[] values) {

    public DenseMatrix {
        if (rows < 0 || cols < 0 || values.length != (long) rows * cols) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix needs " + (long) rows * cols
                    + " values, got " + values.length);
        }
    }

    public static DenseMatrix of(double[][] rowArrays) {
        int cols = rowArrays.length == 0 ? 0 : rowArrays[0].length;
        double[] values = new double[rowArrays.length * cols];
        for (int r = 0; r < rowArrays.length; r++) {
            if (rowArrays[r].length != cols) {
                throw new IllegalArgumentException("row " + r + " has " + rowArrays[r].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rowArrays[r], 0, values, r * cols, cols);
        }
        return new DenseMatrix(rowArrays.length, cols, values);
    }

    /** A 2-D tensor of any floating dtype, widened to float64 (exact for f16/bf16/f32). */
    public static DenseMatrix fromTensor(Tensor t) {
        long[] shape = Tensors.shape(t);
        if (shape.length != 2) {
            throw new IllegalArgumentException("expected a 2-D feature matrix, got shape " + Tensors.shapeString(shape));
        }
        return new DenseMatrix(Math.toIntExact(shape[0]), Math.toIntExact(shape[1]), Tensors.toDoubles(t));
    }

    public double get(int row, int col) {
        return values[row * cols + col];
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive). */
    public DenseMatrix rowRange(int from, int to) {
        if (from < 0 || to > rows || from > to) {
            throw new IndexOutOfBoundsException("rows " + from + ".." + to + " of a matrix with " + rows + " rows");
        }
        double[] out = new double[(to - from) * cols];
        System.arraycopy(values, from * cols, out, 0, out.length);
        return new DenseMatrix(to - from, cols, out);
    }

    /** Euclidean norm of each row. */
    public double[] rowNorms() {
        double[] norms = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0, o = r * cols; c < cols; c++) sum += values[o + c] * values[o + c];
            norms[r] = Math.sqrt(sum);
        }
        return norms;
    }

    /**
     * Each row divided by its norm as numpy does {@code X / norm(X, axis=1)}: a zero row becomes NaN,
     * which then propagates into any metric computed from it (as in the reference).
     */
    public DenseMatrix dividedByRowNorms() {
        return scaleRows(rowNorms());
    }

    /**
     * scikit-learn's {@code preprocessing.normalize(X, axis=1)}: like {@link #dividedByRowNorms} except that
     * norms below 10 machine epsilons are replaced by 1, so zero rows stay zero.
     */
    public DenseMatrix l2NormalizedRows() {
        double[] norms = rowNorms();
        for (int r = 0; r < rows; r++) {
            if (norms[r] < 10 * Math.ulp(1.0)) norms[r] = 1.0;
        }
        return scaleRows(norms);
    }

    private DenseMatrix scaleRows(double[] divisors) {
        double[] out = new double[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0, o = r * cols; c < cols; c++) out[o + c] = values[o + c] / divisors[r];
        }
        return new DenseMatrix(rows, cols, out);
    }

    /** Column means (the centroid of the rows). */
    public double[] columnMeans() {
        double[] mean = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0, o = r * cols; c < cols; c++) mean[c] += values[o + c];
        }
        for (int c = 0; c < cols; c++) mean[c] /= rows;
        return mean;
    }

    /** {@code this * thisᵀ}, the linear kernel of the rows (symmetric, rows x rows). */
    public DenseMatrix gram() {
        double[] out = new double[rows * rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j <= i; j++) {
                double dot = 0;
                for (int c = 0, oi = i * cols, oj = j * cols; c < cols; c++) dot += values[oi + c] * values[oj + c];
                out[i * rows + j] = dot;
                out[j * rows + i] = dot;
            }
        }
        return new DenseMatrix(rows, rows, out);
    }

    public DenseMatrix transpose() {
        double[] out = new double[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
        }
        return new DenseMatrix(cols, rows, out);
    }

    /** Every entry multiplied by {@code factor}. */
    public DenseMatrix scaled(double factor) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) out[i] = values[i] * factor;
        return new DenseMatrix(rows, cols, out);
    }

    void requireSquare(String what) {
        if (rows != cols) throw new IllegalArgumentException(what + " must be square, got " + rows + "x" + cols);
    }
}
