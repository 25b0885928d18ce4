package dev.lycoris4j.diffusion.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Round trip through the JDK's independent PNG decoder: pixels and the parameters text chunk survive. */
class PngWriterTest {
    @Test
    void pixelsAndParametersRoundTripThroughImageIo(@TempDir Path dir) throws Exception {
        int w = 13, h = 7;
        byte[] rgb = new byte[w * h * 3];
        new Random(1).nextBytes(rgb);
        Path f = dir.resolve("x.png");
        String params = "a photo of sks dog\nNegative prompt: blurry\nSteps: 25, Sampler: DDIM, CFG scale: 7, Seed: 7100";
        PngWriter.write(f, w, h, rgb, Map.of("parameters", params));

        BufferedImage img = ImageIO.read(f.toFile());
        assertThat(img.getWidth()).isEqualTo(w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                int i = (y * w + x) * 3;
                assertThat((p >> 16) & 0xff).isEqualTo(rgb[i] & 0xff);
                assertThat((p >> 8) & 0xff).isEqualTo(rgb[i + 1] & 0xff);
                assertThat(p & 0xff).isEqualTo(rgb[i + 2] & 0xff);
            }
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(f.toFile())) {
            ImageReader r = ImageIO.getImageReaders(in).next();
            r.setInput(in);
            IIOMetadataNode root = (IIOMetadataNode) r.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            IIOMetadataNode entry = (IIOMetadataNode) root.getElementsByTagName("tEXtEntry").item(0);
            assertThat(entry.getAttribute("keyword")).isEqualTo("parameters");
            assertThat(entry.getAttribute("value")).isEqualTo(params);
        }
    }
}
