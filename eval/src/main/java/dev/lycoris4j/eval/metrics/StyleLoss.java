package dev.lycoris4j.eval.metrics;

/**
 * LyCORIS-evaluation's VGG19-Gram style losses on rows of {@link GramFeatures} (float64 here; the
 * reference accumulates in float32, a relative difference around 1e-7).
 */
public final class StyleLoss {

    /** Per image k: Σ (G_ft,k − G_base,k)²; {@code mean} is the {@code Style Loss (base model)} metric. */
    public record BaseModelLoss(double[] perImage, double mean) {}

    private StyleLoss() {}

    /**
     * {@code get_style_loss}: fine-tuned and base-model images generated from the same prompts and seeds,
     * row k of each being the same (prompt, seed).
     */
    public static BaseModelLoss versusBaseModel(DenseMatrix finetuned, DenseMatrix base) {
        if (finetuned.rows() != base.rows() || finetuned.cols() != base.cols()) {
            throw new IllegalArgumentException("Gram sets differ in shape: " + finetuned.rows() + "x" + finetuned.cols()
                    + " vs " + base.rows() + "x" + base.cols());
        }
        if (finetuned.rows() == 0) throw new IllegalArgumentException("style loss of empty Gram sets");
        int d = finetuned.cols();
        double[] a = finetuned.values();
        double[] b = base.values();
        double[] perImage = new double[finetuned.rows()];
        double total = 0;
        for (int r = 0; r < perImage.length; r++) {
            double sum = 0;
            for (int c = 0, o = r * d; c < d; c++) {
                double diff = a[o + c] - b[o + c];
                sum += diff * diff;
            }
            perImage[r] = sum;
            total += sum;
        }
        return new BaseModelLoss(perImage, total / perImage.length);
    }

    /**
     * {@code allpair_msd} ({@code Style Loss (<cond>)} against the dataset): the mean over all row pairs of
     * ‖x₁ − x₂‖², computed as ‖μ₁ − μ₂‖² + v₁ + v₂ with vᵢ = mean ‖x − μᵢ‖² (biased).
     */
    public static double allPairs(DenseMatrix dataset, DenseMatrix generated) {
        if (dataset.cols() != generated.cols()) {
            throw new IllegalArgumentException("Gram dimensions differ: " + dataset.cols() + " vs " + generated.cols());
        }
        if (dataset.rows() == 0 || generated.rows() == 0) {
            throw new IllegalArgumentException("all-pairs distance needs at least one row in each set");
        }
        double[] mean1 = dataset.columnMeans();
        double[] mean2 = generated.columnMeans();
        double centroid = 0;
        for (int c = 0; c < mean1.length; c++) centroid += (mean1[c] - mean2[c]) * (mean1[c] - mean2[c]);
        return centroid + spread(dataset, mean1) + spread(generated, mean2);
    }

    /** Mean squared distance of the rows to {@code mean}. */
    private static double spread(DenseMatrix x, double[] mean) {
        int d = x.cols();
        double sum = 0;
        for (int r = 0; r < x.rows(); r++) {
            for (int c = 0, o = r * d; c < d; c++) {
                double diff = x.values()[o + c] - mean[c];
                sum += diff * diff;
            }
        }
        return sum / x.rows();
    }
}
