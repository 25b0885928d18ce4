package dev.lycoris4j.eval.metrics;

import java.util.List;
import java.util.function.ToDoubleBiFunction;

/**
 * The Vendi score (Friedman and Dieng 2023): the exponential of the entropy of the eigenvalues of K/n,
 * an "effective number of distinct samples" between 1 (all alike) and n (mutually orthogonal).
 *
 * <p>Two references are mirrored: LyCORIS-evaluation's {@code compute_vendi_score} (from dgm-eval; q = 1,
 * linear kernel on L2-normalised rows, used for the {@code Vendi (<enc>) (<cond>)} metrics) and the
 * general functions of the {@code vendi_score} package ({@code score_K}, {@code score_dual},
 * {@code score}, {@code intdiv_K}). Orders q: 1 is Shannon entropy with the natural log, {@link #Q_INF}
 * is min-entropy, any other q the Rényi entropy of order q (q = 0 counts positive eigenvalues).
 */
public final class Vendi {
    /** The order "inf" of the reference (min-entropy). */
    public static final double Q_INF = Double.POSITIVE_INFINITY;

    private Vendi() {}

    /**
     * LyCORIS-evaluation's {@code compute_vendi_score(X)}: rows L2-normalised (zero rows stay zero),
     * K = XXᵀ, eigenvalues of K/n, q = 1.
     */
    public static double score(DenseMatrix features) {
        if (features.rows() == 0) throw new IllegalArgumentException("Vendi score of an empty feature set");
        DenseMatrix x = features.l2NormalizedRows();
        return Math.exp(entropy(SymmetricEigen.eigenvalues(x.gram().scaled(1.0 / x.rows())), 1));
    }

    /**
     * {@code compute_per_prompt_vendi_scores}: a score per consecutive chunk of {@code imagesPerPrompt}
     * rows (the last chunk may be shorter).
     */
    public static double[] perPromptScores(DenseMatrix features, int imagesPerPrompt) {
        if (imagesPerPrompt <= 0) throw new IllegalArgumentException("images per prompt must be positive");
        int chunks = (features.rows() + imagesPerPrompt - 1) / imagesPerPrompt;
        double[] scores = new double[chunks];
        for (int k = 0; k < chunks; k++) {
            int from = k * imagesPerPrompt;
            scores[k] = score(features.rowRange(from, Math.min(from + imagesPerPrompt, features.rows())));
        }
        return scores;
    }

    /** The {@code Vendi (<enc>) (out)} metric: the mean of {@link #perPromptScores}. */
    public static double meanPerPromptScore(DenseMatrix features, int imagesPerPrompt) {
        double[] scores = perPromptScores(features, imagesPerPrompt);
        double sum = 0;
        for (double s : scores) sum += s;
        return sum / scores.length;
    }

    /** {@code score_K(K, q)}: uniform weights, K used as given. */
    public static double scoreK(DenseMatrix kernel, double q) {
        kernel.requireSquare("a Vendi kernel matrix");
        return Math.exp(entropy(SymmetricEigen.eigenvalues(kernel.scaled(1.0 / kernel.rows())), q));
    }

    /**
     * {@code score_K(K, q, p, normalize)}: with {@code normalize}, Kᵢⱼ / sqrt(KᵢᵢKⱼⱼ) first; with sample
     * probabilities {@code p} (null = uniform), the eigenvalues are those of K ∘ (√p √pᵀ).
     */
    public static double scoreK(DenseMatrix kernel, double q, double[] p, boolean normalize) {
        kernel.requireSquare("a Vendi kernel matrix");
        int n = kernel.rows();
        DenseMatrix k = normalize ? normalizedKernel(kernel) : kernel;
        if (p == null) return scoreK(k, q);
        if (p.length != n) throw new IllegalArgumentException(p.length + " probabilities for " + n + " samples");
        double[] sqrtP = new double[n];
        for (int i = 0; i < n; i++) sqrtP[i] = Math.sqrt(p[i]);
        double[] weighted = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) weighted[i * n + j] = k.get(i, j) * sqrtP[i] * sqrtP[j];
        }
        return Math.exp(entropy(SymmetricEigen.eigenvalues(new DenseMatrix(n, n, weighted)), q));
    }

    /**
     * {@code score_dual(X, q)}: the same spectrum through the d x d matrix XᵀX/n, cheaper when the
     * feature dimension is below the sample count.
     */
    public static double scoreDual(DenseMatrix features, double q) {
        DenseMatrix x = features.l2NormalizedRows();
        return Math.exp(entropy(SymmetricEigen.eigenvalues(x.transpose().gram().scaled(1.0 / x.rows())), q));
    }

    /** {@code score(samples, k, q)}: K built from a pairwise similarity (upper triangle mirrored). */
    public static <T> double score(List<T> samples, ToDoubleBiFunction<T, T> similarity, double q) {
        int n = samples.size();
        double[] k = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = similarity.applyAsDouble(samples.get(i), samples.get(j));
                k[i * n + j] = s;
                k[j * n + i] = s;
            }
        }
        return scoreK(new DenseMatrix(n, n, k), q);
    }

    /** {@code intdiv_K(K, q)}: internal diversity 1 − Σᵢⱼ pᵢpⱼ Kᵢⱼ^q with uniform p. */
    public static double internalDiversity(DenseMatrix kernel, double q) {
        kernel.requireSquare("a kernel matrix");
        double sum = 0;
        for (double x : kernel.values()) sum += Math.pow(x, q);
        return 1 - sum / ((double) kernel.rows() * kernel.rows());
    }

    /**
     * {@code entropy_q(p, q)}: only positive p count, except that q = ∞ takes the maximum over all
     * values (as the reference does).
     */
    public static double entropy(double[] p, double q) {
        if (q == Q_INF) {
            double max = Double.NEGATIVE_INFINITY;
            for (double x : p) max = Math.max(max, x);
            return -Math.log(max);
        }
        double sum = 0;
        for (double x : p) {
            if (x > 0) sum += q == 1 ? x * Math.log(x) : Math.pow(x, q);
        }
        return q == 1 ? -sum : Math.log(sum) / (1 - q);
    }

    private static DenseMatrix normalizedKernel(DenseMatrix kernel) {
        int n = kernel.rows();
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = Math.sqrt(kernel.get(i, i));
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) out[i * n + j] = kernel.get(i, j) / (d[i] * d[j]);
        }
        return new DenseMatrix(n, n, out);
    }
}
