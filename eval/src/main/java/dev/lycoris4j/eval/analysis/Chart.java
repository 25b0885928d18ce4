package dev.lycoris4j.eval.analysis;

import dev.lycoris4j.core.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Java2D basics shared by the report's figures: canvas, fonts, nice ticks, PNG output. */
final class Chart {
    private Chart() {}

    static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    static final Color AXIS = new Color(0x33, 0x33, 0x33);
    static final Color GRID = new Color(0xE5, 0xE5, 0xE5);
    static final BasicStroke THIN = new BasicStroke(1f);

    static {
        // Figures are drawn off-screen; headless mode keeps AWT from looking for a display.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** A white canvas and an antialiased graphics context on it. */
    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setFont(FONT);
        return g;
    }

    static BufferedImage canvas(int width, int height) {
        return new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    }

    static void writePng(BufferedImage image, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", bytes)) throw new IOException("no PNG encoder available");
        AtomicFiles.writeBytes(file, bytes.toByteArray());
    }

    /** Ticks at 1, 2 or 5 × 10^k covering [lo, hi] with at most about {@code target} of them. */
    static List<Double> ticks(double lo, double hi, int target) {
        double span = hi - lo;
        if (!(span > 0)) return List.of(lo);
        double raw = span / target;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 5, 10}) {
            step = m * magnitude;
            if (step >= raw) break;
        }
        List<Double> out = new ArrayList<>();
        for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.add(k * step);
        return out;
    }

    /** A tick label with as many decimals as the tick spacing needs. */
    static String tickLabel(double value, List<Double> ticks) {
        double step = ticks.size() > 1 ? ticks.get(1) - ticks.get(0) : Math.abs(value);
        int decimals = step > 0 ? Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9)) : 0;
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", value == 0 ? 0.0 : value);
    }

    static void drawCentered(Graphics2D g, String text, double cx, double baseline) {
        g.drawString(text, (float) (cx - g.getFontMetrics().stringWidth(text) / 2.0), (float) baseline);
    }

    /** A title centred on the image, in the title font, or the plain font when the title is too wide for it. */
    static void drawTitle(Graphics2D g, String title, int imageWidth) {
        g.setColor(AXIS);
        g.setFont(g.getFontMetrics(TITLE).stringWidth(title) <= imageWidth - 20 ? TITLE : FONT);
        drawCentered(g, title, imageWidth / 2.0, 25);
    }

    /** Text rotated by {@code radians} around its start point (x, y). */
    static void drawRotated(Graphics2D g, String text, double x, double y, double radians) {
        AffineTransform saved = g.getTransform();
        g.rotate(radians, x, y);
        g.drawString(text, (float) x, (float) y);
        g.setTransform(saved);
    }

    /** The first {@code max} characters of {@code text}, with an ellipsis when cut. */
    static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
