package dev.lycoris4j.adapters.tools;

import java.util.Arrays;

/**
 * Singular values computed independently of libtorch, for checking the tools' SVDs: the eigenvalues of the
 * smaller Gram matrix (AᵀA or AAᵀ) by the cyclic Jacobi method, in double precision. Meant for small matrices.
 */
final class Spectra {
    private Spectra() {}

    /** σ of the row-major (rows × cols) matrix {@code a}, descending. */
    static double[] singularValues(double[] a, int rows, int cols) {
        int n = Math.min(rows, cols);
        double[][] gram = new double[n][n];
        for (int p = 0; p < n; p++) {
            for (int q = p; q < n; q++) {
                double s = 0;
                if (rows <= cols) {
                    for (int k = 0; k < cols; k++) s += a[p * cols + k] * a[q * cols + k];
                } else {
                    for (int k = 0; k < rows; k++) s += a[k * cols + p] * a[k * cols + q];
                }
                gram[p][q] = s;
                gram[q][p] = s;
            }
        }
        double[] eigen = jacobiEigenvalues(gram);
        double[] sigma = new double[n];
        for (int i = 0; i < n; i++) sigma[i] = Math.sqrt(Math.max(0, eigen[i]));
        Arrays.sort(sigma);
        for (int i = 0; i < n / 2; i++) {
            double t = sigma[i];
            sigma[i] = sigma[n - 1 - i];
            sigma[n - 1 - i] = t;
        }
        return sigma;
    }

    /** √(Σ_{i>r} σᵢ²): the Frobenius error of the best rank-r approximation (Eckart–Young). */
    static double eckartYoungError(double[] sigma, int r) {
        double tail = 0;
        for (int i = r; i < sigma.length; i++) tail += sigma[i] * sigma[i];
        return Math.sqrt(tail);
    }

    private static double[] jacobiEigenvalues(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = m[i].clone();
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double diag = 0;
            for (int p = 0; p < n; p++) {
                diag += a[p][p] * a[p][p];
                for (int q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
            }
            if (off <= 1e-30 * diag) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) { // columns p, q
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) { // rows p, q
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] eigen = new double[n];
        for (int i = 0; i < n; i++) eigen[i] = a[i][i];
        return eigen;
    }
}
