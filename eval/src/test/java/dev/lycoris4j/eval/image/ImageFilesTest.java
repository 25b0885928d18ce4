package dev.lycoris4j.eval.image;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageFilesTest {

    @Test
    void goldenPngsDecodeToThePixelsPillowReads() throws Exception {
        for (JsonNode entry : PreprocessGolden.images()) {
            RgbImage image = PreprocessGolden.decode(entry);
            assertThat(image.width()).isEqualTo(entry.path("width").asInt());
            assertThat(image.height()).isEqualTo(entry.path("height").asInt());
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image.rgb()));
            assertThat(sha).as(entry.path("file").asText()).isEqualTo(entry.path("pixels_sha256").asText());
        }
    }

    @Test
    void greyIsReplicatedWithoutGammaConversion() {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 100);
        grey.getRaster().setSample(1, 0, 0, 7);
        RgbImage rgb = ImageFiles.toRgb(grey, "grey");
        assertThat(rgb.rgb()).containsExactly(100, 100, 100, 7, 7, 7);
    }

    @Test
    void paletteIndicesAreLookedUp() {
        IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {10, 20}, new byte[] {30, 40}, new byte[] {50, 60});
        BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        indexed.getRaster().setSample(0, 0, 0, 1);
        indexed.getRaster().setSample(1, 0, 0, 0);
        assertThat(ImageFiles.toRgb(indexed, "palette").rgb()).containsExactly(20, 40, 60, 10, 30, 50);
    }

    @Test
    void alphaIsDroppedWithoutCompositing() {
        BufferedImage rgba = new BufferedImage(1, 1, BufferedImage.TYPE_4BYTE_ABGR);
        rgba.getRaster().setPixel(0, 0, new int[] {200, 100, 50, 0});
        assertThat(ImageFiles.toRgb(rgba, "rgba").rgb()).containsExactly((byte) 200, 100, 50);
    }

    @Test
    void sixteenBitSamplesFollowPillowsModes() {
        BufferedImage rgb16 = sixteenBit(ColorSpace.CS_sRGB, false, 1000, 0xFFFF, 0x1234);
        assertThat(ImageFiles.toRgb(rgb16, "rgb16").rgb()).containsExactly(3, (byte) 255, 0x12);
        // Grey without alpha is Pillow mode "I": clamped, not scaled. With alpha it is "LA": high byte.
        BufferedImage grey16 = sixteenBit(ColorSpace.CS_GRAY, false, 200);
        assertThat(ImageFiles.toRgb(grey16, "grey16").rgb()).containsExactly((byte) 200, (byte) 200, (byte) 200);
        BufferedImage grey16Big = sixteenBit(ColorSpace.CS_GRAY, false, 1000);
        assertThat(ImageFiles.toRgb(grey16Big, "grey16").rgb()).containsExactly((byte) 255, (byte) 255, (byte) 255);
        BufferedImage greyAlpha16 = sixteenBit(ColorSpace.CS_GRAY, true, 0x1234, 0xFFFF);
        assertThat(ImageFiles.toRgb(greyAlpha16, "la16").rgb()).containsExactly(0x12, 0x12, 0x12);
    }

    private static BufferedImage sixteenBit(int colorSpace, boolean alpha, int... samples) {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(colorSpace), alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(1, 1);
        raster.setPixel(0, 0, samples);
        return new BufferedImage(model, raster, false, null);
    }

    @Test
    void missingAndUndecodableFilesAreNamedInTheError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> ImageFiles.readRgb(missing))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.png");
        Path garbage = Files.writeString(dir.resolve("garbage.png"), "not an image");
        assertThatThrownBy(() -> ImageFiles.readRgb(garbage)).hasMessageContaining("garbage.png");
    }
}
