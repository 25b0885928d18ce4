package dev.lycoris4j.eval.analysis;

import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.util.List;

/** A plot area with linear x and y scales: data → pixel mapping, frame, grid, ticks and axis labels. */
final class Axes {
    final Rectangle area;
    private final double xMin;
    private final double xMax;
    private final double yMin;
    private final double yMax;

    /** Pads degenerate ranges so that a single value still gets a visible axis. */
    Axes(Rectangle area, double xMin, double xMax, double yMin, double yMax) {
        this.area = area;
        double[] x = padded(xMin, xMax);
        double[] y = padded(yMin, yMax);
        this.xMin = x[0];
        this.xMax = x[1];
        this.yMin = y[0];
        this.yMax = y[1];
    }

    private static double[] padded(double lo, double hi) {
        if (hi > lo) return new double[] {lo, hi};
        double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
        return new double[] {lo - pad, hi + pad};
    }

    double px(double x) {
        return area.x + (x - xMin) / (xMax - xMin) * area.width;
    }

    double py(double y) {
        return area.y + area.height - (y - yMin) / (yMax - yMin) * area.height;
    }

    /** Frame, light grid at the ticks, tick labels and axis titles; {@code yLabel} null hides the y ticks. */
    void draw(Graphics2D g, String xLabel, String yLabel) {
        List<Double> xTicks = Chart.ticks(xMin, xMax, 7);
        List<Double> yTicks = Chart.ticks(yMin, yMax, 6);
        g.setStroke(Chart.THIN);
        g.setFont(Chart.SMALL);
        for (double t : xTicks) {
            int x = (int) Math.round(px(t));
            g.setColor(Chart.GRID);
            g.drawLine(x, area.y, x, area.y + area.height);
            g.setColor(Chart.AXIS);
            g.drawLine(x, area.y + area.height, x, area.y + area.height + 4);
            Chart.drawCentered(g, Chart.tickLabel(t, xTicks), x, area.y + area.height + 17);
        }
        if (yLabel != null) {
            for (double t : yTicks) {
                int y = (int) Math.round(py(t));
                g.setColor(Chart.GRID);
                g.drawLine(area.x, y, area.x + area.width, y);
                g.setColor(Chart.AXIS);
                g.drawLine(area.x - 4, y, area.x, y);
                String label = Chart.tickLabel(t, yTicks);
                g.drawString(label, area.x - 7 - g.getFontMetrics().stringWidth(label), y + 4);
            }
        }
        g.setColor(Chart.AXIS);
        g.draw(area);
        g.setFont(Chart.FONT);
        Chart.drawCentered(g, xLabel, area.getCenterX(), area.y + area.height + 38);
        if (yLabel != null) {
            int width = g.getFontMetrics().stringWidth(yLabel);
            Chart.drawRotated(g, yLabel, area.x - 52, area.getCenterY() + width / 2.0, -Math.PI / 2);
        }
    }
}
