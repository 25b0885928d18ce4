package dev.lycoris4j.eval.run;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Whether an image a previous run wrote can be kept: the file decodes as a PNG of the expected size and its
 * {@code parameters} text (see {@link GenerationSettings#infotext}) is the expected one. Anything else (a
 * missing, truncated or foreign file, other settings, another prompt or adapter) means generating it again.
 */
final class StoredImage {
    private StoredImage() {}

    static boolean isCurrent(Path file, String infotext, int width, int height) {
        if (!Files.isRegularFile(file)) return false;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) return false;
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
            if (!readers.hasNext()) return false;
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                BufferedImage image = reader.read(0);
                if (image.getWidth() != width || image.getHeight() != height) return false;
                return infotext.equals(parameters((IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0")));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // A file the PNG reader rejects is not a usable result; it is replaced.
            return false;
        }
    }

    /** The {@code parameters} text chunk (tEXt, or iTXt for non-Latin-1 text), or null. */
    private static String parameters(IIOMetadataNode root) {
        var text = root.getElementsByTagName("tEXtEntry");
        for (int i = 0; i < text.getLength(); i++) {
            IIOMetadataNode e = (IIOMetadataNode) text.item(i);
            if ("parameters".equals(e.getAttribute("keyword"))) return e.getAttribute("value");
        }
        var international = root.getElementsByTagName("iTXtEntry");
        for (int i = 0; i < international.getLength(); i++) {
            IIOMetadataNode e = (IIOMetadataNode) international.item(i);
            if ("parameters".equals(e.getAttribute("keyword"))) return e.getAttribute("text");
        }
        return null;
    }
}
