package dev.lycoris4j.eval.metrics;

/**
 * Pearson correlation as pandas' {@code DataFrame.corr(method='pearson')} computes it: per pair of
 * columns over the rows where both values are present (NaN = missing), with Welford's one-pass updates
 * (pandas' {@code nancorr}); NaN when fewer than 2 complete rows or a column is constant on them.
 */
public final class PearsonCorrelation {
    private PearsonCorrelation() {}

    public static double of(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("columns differ in length: " + x.length + " vs " + y.length);
        }
        int count = 0;
        double meanX = 0, meanY = 0, sumSqX = 0, sumSqY = 0, sumXY = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(x[i]) || Double.isNaN(y[i])) continue;
            count++;
            double dx = x[i] - meanX;
            double dy = y[i] - meanY;
            meanX += dx / count;
            meanY += dy / count;
            sumSqX += (x[i] - meanX) * dx;
            sumSqY += (y[i] - meanY) * dy;
            sumXY += (x[i] - meanX) * dy;
        }
        if (count < 2) return Double.NaN;
        double divisor = Math.sqrt(sumSqX * sumSqY);
        return divisor != 0 ? sumXY / divisor : Double.NaN;
    }

    /** The symmetric correlation matrix of {@code columns[k]} (each one column of the table). */
    public static double[][] matrix(double[][] columns) {
        int k = columns.length;
        double[][] out = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                out[i][j] = out[j][i] = of(columns[i], columns[j]);
            }
        }
        return out;
    }
}
