package dev.lycoris4j.eval.analysis;

/**
 * A fitted regressor's explanation of its training rows: {@code shap[i][j]} is feature j's TreeSHAP value
 * for row i, and {@code base[i] + Σ_j shap[i][j] == prediction[i]} (XGBoost's bias column).
 */
public record ShapResult(double[][] features, double[] target, double[][] shap, double[] base, double[] prediction) {

    /** The mean absolute SHAP value of feature {@code j}: its global importance. */
    public double meanAbs(int j) {
        double sum = 0;
        for (double[] row : shap) sum += Math.abs(row[j]);
        return sum / shap.length;
    }

    /** Root mean squared training error of the prediction. */
    public double rmse() {
        double sum = 0;
        for (int i = 0; i < target.length; i++) sum += (prediction[i] - target[i]) * (prediction[i] - target[i]);
        return Math.sqrt(sum / target.length);
    }

    /**
     * The reference's {@code transform_nt}: full fine-tuning always has Capacity 4, so that feature only
     * separates full fine-tuning from the adapters, which is the algorithm's effect. For full fine-tuning
     * rows the Capacity SHAP value is moved into Algo's and the Capacity value becomes NaN (plotted grey).
     * Additivity is kept: the row's sum is unchanged.
     */
    public ShapResult foldFullFineTuning(boolean[] fullFineTuning) {
        double[][] newFeatures = new double[features.length][];
        double[][] newShap = new double[shap.length][];
        for (int i = 0; i < shap.length; i++) {
            newFeatures[i] = features[i].clone();
            newShap[i] = shap[i].clone();
            if (!fullFineTuning[i]) continue;
            newShap[i][ShapFeatures.ALGO] += newShap[i][ShapFeatures.CAPACITY];
            newShap[i][ShapFeatures.CAPACITY] = 0;
            newFeatures[i][ShapFeatures.CAPACITY] = Double.NaN;
        }
        return new ShapResult(newFeatures, target, newShap, base, prediction);
    }
}
