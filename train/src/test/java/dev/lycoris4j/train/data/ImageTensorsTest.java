package dev.lycoris4j.train.data;

import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.eval.image.RgbImage;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImageTensorsTest {

    @Test
    void pixelsBecomeChwValuesInMinusOneToOne() {
        byte[] rgb = {0, (byte) 128, (byte) 255, 10, 20, 30};
        Tensor t = ImageTensors.toTensor(new RgbImage(2, 1, rgb));
        assertThat(Tensors.shape(t)).containsExactly(3, 1, 2);
        float[] v = Tensors.toFloats(t);
        // channel-major: R of both pixels, then G, then B; (v/255 − 0.5)/0.5 in float
        int[][] samples = {{0, 10}, {128, 20}, {255, 30}};
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < 2; x++) assertThat(v[c * 2 + x]).isEqualTo((samples[c][x] / 255f - 0.5f) / 0.5f);
        }
        assertThat(v[0]).isEqualTo(-1f);
        assertThat(v[4]).isEqualTo(1f);
    }

    @Test
    void anImageOfTheResizedSizeIsCentreCroppedToItsBucket() {
        byte[] rgb = new byte[10 * 4 * 3];
        for (int y = 0; y < 4; y++) for (int x = 0; x < 10; x++) rgb[(y * 10 + x) * 3] = (byte) x;
        RgbImage fitted = ImageTensors.fit(new RgbImage(10, 4, rgb),
                new Buckets.Choice(new Resolution(4, 4), new Resolution(10, 4), 0));
        assertThat(fitted.width()).isEqualTo(4);
        // kohya trims (10 − 4) // 2 = 3 columns on the left
        for (int x = 0; x < 4; x++) assertThat(fitted.sample(x, 2, 0)).isEqualTo(3 + x);
    }
}
