package dev.lycoris4j.eval.analysis;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The reference's correlation figure: an annotated heatmap (seaborn {@code heatmap(annot=True,
 * fmt='.2f', cmap='coolwarm', vmin=-1, vmax=1)}) of a Pearson correlation matrix; NaN cells stay blank.
 * Annotations are dark on light cells and white on dark ones (seaborn's luminance rule, threshold .408).
 */
final class CorrelationHeatmap {
    private CorrelationHeatmap() {}

    private static final int CELL = 64;

    static void write(Path file, String title, List<String> labels, double[][] matrix) throws IOException {
        int k = labels.size();
        Graphics2D probe = Chart.graphics(Chart.canvas(1, 1));
        int labelWidth = 0;
        for (String label : labels) labelWidth = Math.max(labelWidth, probe.getFontMetrics(Chart.FONT).stringWidth(label));
        probe.dispose();
        int left = labelWidth + 20;
        int top = 45;
        int width = left + k * CELL + 110;
        int height = top + k * CELL + labelWidth + 25;
        BufferedImage image = Chart.canvas(width, height);
        Graphics2D g = Chart.graphics(image);
        Chart.drawTitle(g, title, width);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double r = matrix[i][j];
                if (Double.isNaN(r)) continue;
                Color color = Colormaps.coolwarm((r + 1) / 2);
                g.setColor(color);
                g.fillRect(left + j * CELL, top + i * CELL, CELL, CELL);
                g.setFont(Chart.FONT);
                g.setColor(luminance(color) > 0.408 ? new Color(0x26, 0x26, 0x26) : Color.WHITE);
                Chart.drawCentered(g, Numbers.fixed(r, 2), left + j * CELL + CELL / 2.0, top + i * CELL + CELL / 2.0 + 5);
            }
        }
        g.setFont(Chart.FONT);
        g.setColor(Chart.AXIS);
        for (int i = 0; i < k; i++) {
            String label = labels.get(i);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), top + i * CELL + CELL / 2 + 5);
            int w = g.getFontMetrics().stringWidth(label);
            Chart.drawRotated(g, label, left + i * CELL + CELL / 2.0 + 5, top + k * CELL + 8 + w, -Math.PI / 2);
        }
        colorBar(g, left + k * CELL + 25, top, k * CELL);
        g.dispose();
        Chart.writePng(image, file);
    }

    private static void colorBar(Graphics2D g, int x, int y, int height) {
        for (int p = 0; p < height; p++) {
            g.setColor(Colormaps.coolwarm(1 - p / (double) (height - 1)));
            g.drawLine(x, y + p, x + 14, y + p);
        }
        g.setFont(Chart.SMALL);
        g.setColor(Chart.AXIS);
        for (double t = -1; t <= 1; t += 0.5) {
            int ty = (int) Math.round(y + (1 - (t + 1) / 2) * (height - 1));
            g.drawLine(x + 14, ty, x + 18, ty);
            g.drawString(Numbers.fixed(t, 1), x + 21, ty + 4);
        }
    }

    /** WCAG relative luminance of an sRGB colour. */
    private static double luminance(Color c) {
        float[] rgb = c.getRGBColorComponents(null);
        double sum = 0;
        double[] weights = {0.2126, 0.7152, 0.0722};
        for (int i = 0; i < 3; i++) {
            double v = rgb[i] <= 0.03928 ? rgb[i] / 12.92 : Math.pow((rgb[i] + 0.055) / 1.055, 2.4);
            sum += weights[i] * v;
        }
        return sum;
    }
}
