package dev.lycoris4j.eval.analysis;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The reference's {@code plot_metrics_xy}: one point per configuration (and step) at (mean of metric 1,
 * mean of metric 2) with x and y error bars of one standard error (cap 4), colour = algorithm, marker =
 * a second factor from the sequence o s ^ v < >, error-bar line style per marker from - -- -. :.
 */
final class ScatterPlot {
    private ScatterPlot() {}

    record Point(String algo, String marker, double x, double y, double xErr, double yErr) {}

    private static final int WIDTH = 820;
    private static final int HEIGHT = 560;
    private static final int CAP = 4;
    private static final double MARKER = 10;
    private static final float[][] DASHES = {null, {6f, 4f}, {7f, 3f, 1.5f, 3f}, {1.5f, 3f}};

    static void write(Path file, String title, String xLabel, String yLabel, String markerTitle,
                      List<String> algoOrder, List<String> markerOrder, List<Point> points) throws IOException {
        BufferedImage image = Chart.canvas(WIDTH, HEIGHT);
        Graphics2D g = Chart.graphics(image);
        double xLo = Double.POSITIVE_INFINITY, xHi = Double.NEGATIVE_INFINITY;
        double yLo = Double.POSITIVE_INFINITY, yHi = Double.NEGATIVE_INFINITY;
        for (Point p : points) {
            if (Double.isNaN(p.x) || Double.isNaN(p.y)) continue;
            xLo = Math.min(xLo, p.x - err(p.xErr));
            xHi = Math.max(xHi, p.x + err(p.xErr));
            yLo = Math.min(yLo, p.y - err(p.yErr));
            yHi = Math.max(yHi, p.y + err(p.yErr));
        }
        if (xLo > xHi) { // nothing to plot: an empty frame on [0, 1]
            xLo = yLo = 0;
            xHi = yHi = 1;
        }
        double xPad = (xHi - xLo) * 0.06;
        double yPad = (yHi - yLo) * 0.06;
        Axes axes = new Axes(new Rectangle(90, 40, WIDTH - 90 - 230, HEIGHT - 40 - 70),
                xLo - xPad, xHi + xPad, yLo - yPad, yHi + yPad);
        axes.draw(g, xLabel, yLabel);
        Chart.drawTitle(g, title, WIDTH);
        g.setClip(axes.area);
        for (Point p : points) {
            if (Double.isNaN(p.x) || Double.isNaN(p.y)) continue;
            int m = markerOrder.indexOf(p.marker);
            Color color = Colormaps.category(algoOrder.indexOf(p.algo));
            g.setColor(color);
            g.setStroke(stroke(m));
            double x = axes.px(p.x);
            double y = axes.py(p.y);
            double x0 = axes.px(p.x - err(p.xErr));
            double x1 = axes.px(p.x + err(p.xErr));
            double y0 = axes.py(p.y - err(p.yErr));
            double y1 = axes.py(p.y + err(p.yErr));
            g.draw(new Line2D.Double(x0, y, x1, y));
            g.draw(new Line2D.Double(x, y0, x, y1));
            g.setStroke(new BasicStroke(1.2f));
            g.draw(new Line2D.Double(x0, y - CAP, x0, y + CAP));
            g.draw(new Line2D.Double(x1, y - CAP, x1, y + CAP));
            g.draw(new Line2D.Double(x - CAP, y0, x + CAP, y0));
            g.draw(new Line2D.Double(x - CAP, y1, x + CAP, y1));
            g.fill(marker(m, x, y));
        }
        g.setClip(null);
        Set<String> plotted = new HashSet<>();
        points.forEach(p -> plotted.add(p.algo));
        legend(g, axes.area.x + axes.area.width + 20, axes.area.y, markerTitle, algoOrder, plotted, markerOrder);
        g.dispose();
        Chart.writePng(image, file);
    }

    private static double err(double e) {
        return Double.isNaN(e) ? 0 : e;
    }

    private static BasicStroke stroke(int markerIndex) {
        float[] dash = DASHES[Math.floorMod(markerIndex, DASHES.length)];
        return dash == null ? new BasicStroke(1.2f)
                : new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f);
    }

    /** o, s, ^, v, <, > centred on (x, y). */
    static Shape marker(int index, double x, double y) {
        double r = MARKER / 2;
        return switch (Math.floorMod(index, 6)) {
            case 0 -> new Ellipse2D.Double(x - r, y - r, MARKER, MARKER);
            case 1 -> new Rectangle2D.Double(x - r * 0.9, y - r * 0.9, MARKER * 0.9, MARKER * 0.9);
            case 2 -> triangle(x, y - r * 1.2, x - r * 1.1, y + r * 0.8, x + r * 1.1, y + r * 0.8);
            case 3 -> triangle(x, y + r * 1.2, x - r * 1.1, y - r * 0.8, x + r * 1.1, y - r * 0.8);
            case 4 -> triangle(x - r * 1.2, y, x + r * 0.8, y - r * 1.1, x + r * 0.8, y + r * 1.1);
            default -> triangle(x + r * 1.2, y, x - r * 0.8, y - r * 1.1, x - r * 0.8, y + r * 1.1);
        };
    }

    private static Shape triangle(double ax, double ay, double bx, double by, double cx, double cy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(ax, ay);
        p.lineTo(bx, by);
        p.lineTo(cx, cy);
        p.closePath();
        return p;
    }

    /** Algorithms keep their colour index even when absent from this plot; only plotted ones are listed. */
    private static void legend(Graphics2D g, int x, int y, String markerTitle, List<String> algos, Set<String> plotted,
                               List<String> markers) {
        g.setFont(Chart.FONT);
        g.setColor(Chart.AXIS);
        g.drawString("Algorithm", x, y + 12);
        int line = y + 32;
        for (int i = 0; i < algos.size(); i++) {
            if (!plotted.contains(algos.get(i))) continue;
            g.setColor(Colormaps.category(i));
            g.fill(marker(0, x + 8, line - 4));
            g.setColor(Chart.AXIS);
            g.drawString(algos.get(i), x + 22, line);
            line += 20;
        }
        line += 14;
        g.drawString(markerTitle, x, line);
        line += 20;
        for (int i = 0; i < markers.size(); i++) {
            g.setColor(Color.GRAY);
            g.setStroke(stroke(i));
            g.draw(new Line2D.Double(x, line - 4, x + 16, line - 4));
            g.fill(marker(i, x + 8, line - 4));
            g.setColor(Chart.AXIS);
            g.drawString(Chart.shorten(markers.get(i), 24), x + 24, line);
            line += 20;
        }
    }
}
