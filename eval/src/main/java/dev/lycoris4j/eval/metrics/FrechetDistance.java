package dev.lycoris4j.eval.metrics;

/**
 * Fréchet distance between Gaussian fits of two feature sets ({@code FD (<enc>-<mode>)}, dgm-eval's
 * "efficient" form): ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 Σ √λ(Σ₁Σ₂), covariances with ddof 1 as
 * {@code np.cov}. The eigenvalues of Σ₁Σ₂ are those of the symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½, which is
 * what is decomposed here; round-off negatives count as 0 (the reference takes the real part of
 * their complex square roots, also 0).
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    public static double compute(DenseMatrix features1, DenseMatrix features2) {
        if (features1.cols() != features2.cols()) {
            throw new IllegalArgumentException("feature dimensions differ: " + features1.cols() + " vs " + features2.cols());
        }
        if (features1.rows() < 2 || features2.rows() < 2) {
            throw new IllegalArgumentException("a covariance needs at least 2 rows per set");
        }
        double[] mean1 = features1.columnMeans();
        double[] mean2 = features2.columnMeans();
        DenseMatrix cov1 = covariance(features1, mean1);
        DenseMatrix cov2 = covariance(features2, mean2);
        double meanDistance = 0;
        for (int c = 0; c < mean1.length; c++) meanDistance += (mean1[c] - mean2[c]) * (mean1[c] - mean2[c]);
        double sqrtTrace = 0;
        DenseMatrix root1 = psdSquareRoot(cov1);
        for (double lambda : SymmetricEigen.eigenvalues(multiply(multiply(root1, cov2), root1))) {
            sqrtTrace += Math.sqrt(Math.max(lambda, 0));
        }
        return meanDistance + trace(cov1) + trace(cov2) - 2 * sqrtTrace;
    }

    private static DenseMatrix covariance(DenseMatrix x, double[] mean) {
        int n = x.rows();
        int d = x.cols();
        double[] centred = new double[n * d];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) centred[r * d + c] = x.get(r, c) - mean[c];
        }
        return new DenseMatrix(n, d, centred).transpose().gram().scaled(1.0 / (n - 1));
    }

    /** V √max(D, 0) Vᵀ. */
    private static DenseMatrix psdSquareRoot(DenseMatrix symmetric) {
        SymmetricEigen.Decomposition e = SymmetricEigen.decompose(symmetric);
        int n = symmetric.rows();
        double[] out = new double[n * n];
        for (int k = 0; k < n; k++) {
            double root = Math.sqrt(Math.max(e.values()[k], 0));
            if (root == 0) continue;
            double[] v = e.vectors()[k];
            for (int i = 0; i < n; i++) {
                double vi = root * v[i];
                for (int j = 0; j < n; j++) out[i * n + j] += vi * v[j];
            }
        }
        return new DenseMatrix(n, n, out);
    }

    private static DenseMatrix multiply(DenseMatrix a, DenseMatrix b) {
        int n = a.rows(), m = a.cols(), p = b.cols();
        double[] out = new double[n * p];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < m; k++) {
                double aik = a.get(i, k);
                for (int j = 0; j < p; j++) out[i * p + j] += aik * b.get(k, j);
            }
        }
        return new DenseMatrix(n, p, out);
    }

    private static double trace(DenseMatrix square) {
        double t = 0;
        for (int i = 0; i < square.rows(); i++) t += square.get(i, i);
        return t;
    }
}
