package dev.lycoris4j.train.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Small PNGs with seeded random pixels, and captions, for dataset tests. */
final class TestImages {
    private TestImages() {}

    static Path png(Path file, int width, int height, long seed) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random rng = new Random(seed);
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) image.setRGB(x, y, rng.nextInt(1 << 24));
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    static Path caption(Path image, String text) throws IOException {
        return Files.writeString(DatasetFolders.captionFile(image, ".txt"), text);
    }
}
