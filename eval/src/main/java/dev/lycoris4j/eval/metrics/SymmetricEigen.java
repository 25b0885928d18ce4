package dev.lycoris4j.eval.metrics;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Eigen-decomposition of a real symmetric matrix in float64 through libtorch's {@code linalg_eigvalsh} /
 * {@code linalg_eigh} (LAPACK syevd), the same solver family as the references' numpy/scipy
 * {@code eigvalsh}. Eigenvalues agree with theirs to a few ulps of the largest one; the exact zeros of
 * a rank-deficient kernel come out as round-off of either sign (about 1e-17 · ‖K‖), which is why the
 * Vendi score keeps only λ > 0. Only the lower triangle is read.
 */
public final class SymmetricEigen {

    /** Eigenvalues in ascending order; {@code vectors[k]} is the unit eigenvector of {@code values[k]}. */
    public record Decomposition(double[] values, double[][] vectors) {}

    private SymmetricEigen() {}

    /** Eigenvalues in ascending order. */
    public static double[] eigenvalues(DenseMatrix symmetric) {
        try (Tensor a = toTensor(symmetric); Tensor values = torch.linalg_eigvalsh(a, "L")) {
            return Tensors.toDoubles(values);
        }
    }

    public static Decomposition decompose(DenseMatrix symmetric) {
        int n = symmetric.rows();
        try (Tensor a = toTensor(symmetric); T_TensorTensor_T result = torch.linalg_eigh(a, "L");
             Tensor values = result.get0(); Tensor vectors = result.get1()) {
            double[] columns = Tensors.toDoubles(vectors);
            double[][] byEigenvalue = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) byEigenvalue[k][i] = columns[i * n + k];
            }
            return new Decomposition(Tensors.toDoubles(values), byEigenvalue);
        }
    }

    private static Tensor toTensor(DenseMatrix symmetric) {
        symmetric.requireSquare("an eigen-decomposed matrix");
        for (double x : symmetric.values()) {
            if (!Double.isFinite(x)) throw new ArithmeticException("cannot eigen-decompose a matrix holding " + x);
        }
        return Tensors.fromDoubles(symmetric.values(), symmetric.rows(), symmetric.cols());
    }
}
