package dev.lycoris4j.eval.analysis;

import dev.lycoris4j.eval.image.ImageFiles;
import dev.lycoris4j.eval.image.PillowResampler;
import dev.lycoris4j.eval.image.ResampleFilter;
import dev.lycoris4j.eval.image.RgbImage;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A labelled grid of thumbnails: one row per checkpoint, the first images of one prompt type's folder.
 * Thumbnails are Pillow bicubic resizes (longer side to the cell size, aspect kept), the filter
 * {@code Image.thumbnail} uses.
 */
final class ImageGrid {
    private ImageGrid() {}

    record Row(String label, List<Path> images) {}

    private static final int GAP = 4;

    /** The first {@code max} image files of {@code folder} by name, of the formats javax.imageio reads. */
    static List<Path> imageFiles(Path folder, int max) throws IOException {
        Set<String> readable = Set.of(ImageIO.getReaderFileSuffixes());
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(Files::isRegularFile).filter(p -> readable.contains(suffix(p))).sorted().limit(max)
                    .forEach(out::add);
        }
        return out;
    }

    private static String suffix(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static void write(Path file, List<Row> rows, int cell) throws IOException {
        Graphics2D probe = Chart.graphics(Chart.canvas(1, 1));
        int labelWidth = 0;
        int columns = 1;
        for (Row row : rows) {
            labelWidth = Math.max(labelWidth, probe.getFontMetrics(Chart.SMALL).stringWidth(row.label));
            columns = Math.max(columns, row.images.size());
        }
        probe.dispose();
        int left = labelWidth + 12;
        BufferedImage image = Chart.canvas(left + columns * (cell + GAP), rows.size() * (cell + GAP) + GAP);
        Graphics2D g = Chart.graphics(image);
        g.setFont(Chart.SMALL);
        for (int r = 0; r < rows.size(); r++) {
            int top = GAP + r * (cell + GAP);
            g.setColor(Chart.AXIS);
            g.drawString(rows.get(r).label, 6, top + cell / 2 + 4);
            for (int c = 0; c < rows.get(r).images.size(); c++) {
                BufferedImage thumb = thumbnail(ImageFiles.readRgb(rows.get(r).images.get(c)), cell);
                int x = left + c * (cell + GAP) + (cell - thumb.getWidth()) / 2;
                g.drawImage(thumb, x, top + (cell - thumb.getHeight()) / 2, null);
            }
        }
        g.dispose();
        Chart.writePng(image, file);
    }

    private static BufferedImage thumbnail(RgbImage source, int cell) {
        double scale = Math.min(1.0, cell / (double) Math.max(source.width(), source.height()));
        int w = Math.max(1, (int) Math.round(source.width() * scale));
        int h = Math.max(1, (int) Math.round(source.height() * scale));
        RgbImage small = PillowResampler.resize(source, w, h, ResampleFilter.BICUBIC);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(x, y, small.sample(x, y, 0) << 16 | small.sample(x, y, 1) << 8 | small.sample(x, y, 2));
            }
        }
        return out;
    }
}
