package dev.lycoris4j.eval.analysis;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * SHAP's beeswarm ({@code shap.summary_plot}, {@code sort=False}): one row per feature in the given order
 * from the top, x = SHAP value, colour = feature value from blue (low) to red (high) between its 5th and
 * 95th percentile, NaN grey; points of a row are stacked around the row line in 100 x-bins, exactly as
 * shap lays them out (without its random tie order).
 */
final class BeeswarmPlot {
    private BeeswarmPlot() {}

    private static final int WIDTH = 820;
    private static final int ROW = 70;
    private static final double DOT = 6;

    /** {@code values[i][j]}, {@code shap[i][j]}: feature j of row i. */
    static void write(Path file, String title, List<String> labels, double[][] values, double[][] shap) throws IOException {
        int features = labels.size();
        int height = 60 + features * ROW + 60;
        BufferedImage image = Chart.canvas(WIDTH, height);
        Graphics2D g = Chart.graphics(image);
        double lo = 0;
        double hi = 0;
        for (double[] row : shap) {
            for (double s : row) {
                lo = Math.min(lo, s);
                hi = Math.max(hi, s);
            }
        }
        double pad = (hi - lo) * 0.05;
        Axes axes = new Axes(new Rectangle(150, 40, WIDTH - 150 - 110, features * ROW), lo - pad, hi + pad, 0, 1);
        axes.draw(g, "SHAP value (impact on model output)", null);
        Chart.drawTitle(g, title, WIDTH);
        g.setColor(Color.GRAY);
        g.draw(new Line2D.Double(axes.px(0), axes.area.y, axes.px(0), axes.area.y + axes.area.height));
        for (int j = 0; j < features; j++) {
            double center = axes.area.y + (j + 0.5) * ROW;
            g.setFont(Chart.FONT);
            g.setColor(Chart.AXIS);
            String label = labels.get(j);
            g.drawString(label, axes.area.x - 10 - g.getFontMetrics().stringWidth(label), (float) center + 5);
            g.setColor(Chart.GRID);
            g.draw(new Line2D.Double(axes.area.x, center, axes.area.x + axes.area.width, center));
            drawRow(g, axes, center, column(shap, j), column(values, j));
        }
        colorBar(g, axes.area.x + axes.area.width + 30, axes.area.y, axes.area.height);
        g.dispose();
        Chart.writePng(image, file);
    }

    private static double[] column(double[][] m, int j) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) out[i] = m[i][j];
        return out;
    }

    private static void drawRow(Graphics2D g, Axes axes, double center, double[] shap, double[] values) {
        double[] offsets = swarmOffsets(shap, 0.4 * ROW);
        double[] range = colorRange(values);
        // NaN values first, underneath the coloured points, as shap draws them.
        for (boolean missingPass : new boolean[] {true, false}) {
            for (int i = 0; i < shap.length; i++) {
                boolean missing = Double.isNaN(values[i]);
                if (missing != missingPass) continue;
                double t = range[1] > range[0] ? (values[i] - range[0]) / (range[1] - range[0]) : 0;
                g.setColor(missing ? Colormaps.MISSING : Colormaps.redBlue(t));
                g.fill(new Ellipse2D.Double(axes.px(shap[i]) - DOT / 2, center - offsets[i] - DOT / 2, DOT, DOT));
            }
        }
    }

    /** shap's layout: points sorted into 100 bins along x, alternately stacked above and below the line. */
    static double[] swarmOffsets(double[] shap, double rowHeight) {
        int n = shap.length;
        double min = Arrays.stream(shap).min().orElse(0);
        double max = Arrays.stream(shap).max().orElse(0);
        double[] bin = new double[n];
        for (int i = 0; i < n; i++) bin[i] = Math.rint(100 * (shap[i] - min) / (max - min + 1e-8));
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(bin[a], bin[b]));
        double[] ys = new double[n];
        int layer = 0;
        double lastBin = -1;
        double top = 0;
        for (int ind : order) {
            if (bin[ind] != lastBin) layer = 0;
            ys[ind] = Math.ceil(layer / 2.0) * ((layer % 2) * 2 - 1);
            top = Math.max(top, ys[ind] + 1);
            layer++;
            lastBin = bin[ind];
        }
        for (int i = 0; i < n; i++) ys[i] *= 0.9 * (rowHeight / top);
        return ys;
    }

    /** shap's colour limits: 5th–95th percentile, else 1st–99th, else min–max of the non-NaN values. */
    static double[] colorRange(double[] values) {
        double[] present = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (present.length == 0) return new double[] {0, 0};
        double lo = percentile(present, 5);
        double hi = percentile(present, 95);
        if (lo == hi) {
            lo = percentile(present, 1);
            hi = percentile(present, 99);
            if (lo == hi) {
                lo = present[0];
                hi = present[present.length - 1];
            }
        }
        return new double[] {Math.min(lo, hi), hi};
    }

    /** numpy's default (linear) percentile of sorted values. */
    private static double percentile(double[] sorted, double q) {
        double position = q / 100 * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static void colorBar(Graphics2D g, int x, int y, int height) {
        for (int k = 0; k < height; k++) {
            g.setColor(Colormaps.redBlue(1 - k / (double) (height - 1)));
            g.drawLine(x, y + k, x + 12, y + k);
        }
        g.setFont(Chart.SMALL);
        g.setColor(Chart.AXIS);
        g.drawString("High", x + 16, y + 10);
        g.drawString("Low", x + 16, y + height);
        g.setFont(Chart.FONT);
        String label = "Feature value";
        int width = g.getFontMetrics().stringWidth(label);
        Chart.drawRotated(g, label, x + 56, y + height / 2.0 + width / 2.0, -Math.PI / 2);
    }
}
