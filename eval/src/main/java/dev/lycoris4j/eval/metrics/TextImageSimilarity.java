package dev.lycoris4j.eval.metrics;

/**
 * LyCORIS-evaluation's CLIP text–image score ({@code Text Similarity (<cond>)}): text row k is paired
 * with image row k, each pair's cosine as {@code torch.nn.functional.cosine_similarity} (torch 1.13:
 * x·y / sqrt(max(‖x‖²‖y‖², eps²)), eps = 1e-8), then the mean. No ×100 or ×2.5 scaling.
 * Computed in float64; the reference casts to float32, which moves results by about 1e-7.
 */
public final class TextImageSimilarity {
    public static final double EPS = 1e-8;

    private TextImageSimilarity() {}

    public static double mean(DenseMatrix text, DenseMatrix image) {
        if (text.rows() != image.rows() || text.cols() != image.cols()) {
            throw new IllegalArgumentException("text features " + text.rows() + "x" + text.cols()
                    + " do not pair one-to-one with image features " + image.rows() + "x" + image.cols());
        }
        if (text.rows() == 0) throw new IllegalArgumentException("text similarity of empty feature sets");
        int d = text.cols();
        double[] t = text.values();
        double[] v = image.values();
        double sum = 0;
        for (int r = 0; r < text.rows(); r++) {
            double dot = 0, tt = 0, vv = 0;
            for (int c = 0, o = r * d; c < d; c++) {
                dot += t[o + c] * v[o + c];
                tt += t[o + c] * t[o + c];
                vv += v[o + c] * v[o + c];
            }
            sum += dot / Math.sqrt(Math.max(tt * vv, EPS * EPS));
        }
        return sum / text.rows();
    }
}
