package dev.lycoris4j.eval.metrics;

/**
 * LyCORIS-evaluation's {@code compute_cosine_similarity_and_cent_dist2(ref, gen)}, in float64:
 * rows divided by their norms (a zero row gives NaN, as in numpy), then
 * <ul>
 *   <li>image similarity = mean over all n_R · n_G pairs of the cosine = c_R · c_G, the dot product of
 *       the centroids of the normalised rows (computed that way: O((n_R + n_G) d) instead of a full
 *       n_R x n_G product);</li>
 *   <li>squared centroid distance = ‖c_R − c_G‖² (no square root; lower is closer).</li>
 * </ul>
 */
public final class ImageSimilarity {

    public record Result(double imageSimilarity, double squaredCentroidDistance) {}

    private ImageSimilarity() {}

    public static Result compute(DenseMatrix reference, DenseMatrix generated) {
        if (reference.cols() != generated.cols()) {
            throw new IllegalArgumentException("feature dimensions differ: reference " + reference.cols()
                    + ", generated " + generated.cols());
        }
        if (reference.rows() == 0 || generated.rows() == 0) {
            throw new IllegalArgumentException("image similarity needs at least one row in each set");
        }
        double[] centroidR = reference.dividedByRowNorms().columnMeans();
        double[] centroidG = generated.dividedByRowNorms().columnMeans();
        double dot = 0;
        double distance2 = 0;
        for (int c = 0; c < centroidR.length; c++) {
            dot += centroidR[c] * centroidG[c];
            double diff = centroidR[c] - centroidG[c];
            distance2 += diff * diff;
        }
        return new Result(dot, distance2);
    }
}
