package dev.lycoris4j.eval.image;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes image files (PNG, JPEG, and whatever else {@code javax.imageio} reads) into {@link RgbImage}s
 * with the pixel values Pillow's {@code Image.open(path).convert('RGB')} gives.
 *
 * <p>The raster is read directly instead of through {@code BufferedImage.getRGB}, because getRGB
 * colour-converts (a grey PNG comes back gamma-shifted), while Pillow copies the stored samples.
 * Rules, as Pillow applies them: grey is replicated to R = G = B; palette indices are looked up;
 * alpha is dropped (no compositing); 16-bit RGB(A) and grey + alpha keep the high byte; 16-bit grey
 * ("I" mode in Pillow) is clamped to 0..255 rather than scaled.
 *
 * <p>Known difference from the LyCORIS-evaluation pipeline: it resizes first and converts to RGB
 * afterwards, so images with partial transparency are resized premultiplied there, and palette
 * images are resized with nearest neighbour. Converting at decode time gives the same result for
 * RGB, grey and fully opaque RGBA files, which is what datasets and generated images are.
 */
public final class ImageFiles {
    private ImageFiles() {}

    public static RgbImage readRgb(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("image file not found: " + file);
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("no image decoder recognises " + file);
        }
        return toRgb(image, file.toString());
    }

    /** Converts a decoded image; {@code source} names it in error messages. */
    public static RgbImage toRgb(BufferedImage image, String source) {
        int width = image.getWidth();
        int height = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel colorModel = image.getColorModel();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
        if (colorModel instanceof IndexColorModel palette) {
            int[] indices = raster.getSamples(0, 0, width, height, 0, (int[]) null);
            for (int i = 0; i < indices.length; i++) {
                rgb[3 * i] = (byte) palette.getRed(indices[i]);
                rgb[3 * i + 1] = (byte) palette.getGreen(indices[i]);
                rgb[3 * i + 2] = (byte) palette.getBlue(indices[i]);
            }
            return new RgbImage(width, height, rgb);
        }
        int colorBands = colorModel.getNumColorComponents();
        int colorSpace = colorModel.getColorSpace().getType();
        boolean rgbOrGrey = (colorBands == 3 && colorSpace == ColorSpace.TYPE_RGB)
                || (colorBands == 1 && colorSpace == ColorSpace.TYPE_GRAY);
        if (!rgbOrGrey) {
            throw new IllegalArgumentException(source + ": unsupported colour model with " + colorBands
                    + " colour components (colour space type " + colorSpace + "); convert it to RGB first");
        }
        int bits = colorModel.getComponentSize(0);
        if (bits != 8 && bits != 16) {
            throw new IllegalArgumentException(source + ": unsupported " + bits + "-bit samples");
        }
        if (colorBands == 3) {
            for (int band = 0; band < 3; band++) {
                int[] samples = raster.getSamples(0, 0, width, height, band, (int[]) null);
                int shift = bits - 8;
                for (int i = 0; i < samples.length; i++) {
                    rgb[3 * i + band] = (byte) (samples[i] >> shift);
                }
            }
        } else {
            // Pillow opens 16-bit grey as mode "I" and convert('RGB') clamps it; 16-bit grey + alpha is
            // read as "LA" from the high bytes.
            boolean clamp = bits == 16 && !colorModel.hasAlpha();
            int shift = clamp ? 0 : bits - 8;
            int[] samples = raster.getSamples(0, 0, width, height, 0, (int[]) null);
            for (int i = 0; i < samples.length; i++) {
                byte grey = (byte) Math.min(samples[i] >> shift, 255);
                rgb[3 * i] = grey;
                rgb[3 * i + 1] = grey;
                rgb[3 * i + 2] = grey;
            }
        }
        return new RgbImage(width, height, rgb);
    }
}
