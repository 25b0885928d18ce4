package dev.lycoris4j.eval.image;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PillowResamplerTest {

    private static RgbImage greyRow(int... values) {
        byte[] rgb = new byte[values.length * 3];
        for (int i = 0; i < values.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte) values[i];
        }
        return new RgbImage(values.length, 1, rgb);
    }

    private static RgbImage transpose(RgbImage image) {
        byte[] out = new byte[image.rgb().length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                System.arraycopy(image.rgb(), (y * image.width() + x) * 3, out, (x * image.height() + y) * 3, 3);
            }
        }
        return new RgbImage(image.height(), image.width(), out);
    }

    /*
     * Bilinear 4 -> 2 by hand: scale 2 widens the triangle to support 2. Output 0 (centre 1) reads inputs
     * 0..2 with weights 0.75, 0.75, 0.25 -> 3/7, 3/7, 1/7: (300 + 200) / 7 = 71.4 -> 71. Output 1 (centre 3)
     * reads inputs 1..3 with 1/7, 3/7, 3/7: (100 + 600 + 300) / 7 = 142.9 -> 143.
     */
    @Test
    void bilinearDownscaleMatchesHandComputedAntialiasedWeights() {
        RgbImage row = greyRow(0, 100, 200, 100);
        RgbImage horizontal = PillowResampler.resize(row, 2, 1, ResampleFilter.BILINEAR);
        assertThat(horizontal.rgb()).containsExactly(71, 71, 71, (byte) 143, (byte) 143, (byte) 143);

        RgbImage vertical = PillowResampler.resize(transpose(row), 1, 2, ResampleFilter.BILINEAR);
        assertThat(vertical.rgb()).containsExactly(71, 71, 71, (byte) 143, (byte) 143, (byte) 143);
    }

    @Test
    void kernelsHaveTheirTextbookValues() {
        // Keys cubic with a = -0.5 (Catmull-Rom): 9/16 at 0.5, -1/16 at 1.5, zero from 2 on.
        assertThat(ResampleFilter.BICUBIC.weight(0.5)).isEqualTo(0.5625);
        assertThat(ResampleFilter.BICUBIC.weight(-1.5)).isEqualTo(-0.0625);
        assertThat(ResampleFilter.BICUBIC.weight(2.0)).isEqualTo(0.0);
        // Lanczos-3 at 0.5: sinc(1/2) sinc(1/6) = (2/pi)(3/pi); the window is half-open.
        assertThat(ResampleFilter.LANCZOS.weight(0.5)).isCloseTo(6 / (Math.PI * Math.PI), within(1e-15));
        assertThat(ResampleFilter.LANCZOS.weight(-3.0)).isNotEqualTo(0.0);
        assertThat(ResampleFilter.LANCZOS.weight(3.0)).isEqualTo(0.0);
        assertThat(ResampleFilter.BILINEAR.weight(-0.25)).isEqualTo(0.75);
    }

    @Test
    void constantImagesStayConstantUnderEveryFilterAndScale() {
        byte[] rgb = new byte[37 * 23 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) 255;
            rgb[i + 1] = 0;
            rgb[i + 2] = (byte) 131;
        }
        RgbImage constant = new RgbImage(37, 23, rgb);
        for (ResampleFilter filter : ResampleFilter.values()) {
            for (int[] size : new int[][] {{11, 5}, {80, 61}, {37, 9}, {100, 23}}) {
                RgbImage out = PillowResampler.resize(constant, size[0], size[1], filter);
                assertThat(out.width()).isEqualTo(size[0]);
                assertThat(out.height()).isEqualTo(size[1]);
                for (int i = 0; i < out.rgb().length; i += 3) {
                    assertThat(new int[] {out.rgb()[i] & 0xFF, out.rgb()[i + 1] & 0xFF, out.rgb()[i + 2] & 0xFF})
                            .as("%s to %dx%d", filter, size[0], size[1]).containsExactly(255, 0, 131);
                }
            }
        }
    }

    @Test
    void sameSizeIsTheIdentityAndBadSizesAreRejected() {
        RgbImage row = greyRow(1, 2, 3);
        assertThat(PillowResampler.resize(row, 3, 1, ResampleFilter.BICUBIC)).isSameAs(row);
        assertThatThrownBy(() -> PillowResampler.resize(row, 0, 1, ResampleFilter.BICUBIC))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
