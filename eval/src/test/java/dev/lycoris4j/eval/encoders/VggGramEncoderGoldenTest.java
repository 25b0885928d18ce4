package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.image.RgbImage;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden case d_metrics, VGG part: vgg_tiny.safetensors on preprocess_io img<i>.scale.imagenet. */
class VggGramEncoderGoldenTest {
    /** manifest d_metrics tolerance for float32 metrics. */
    private static final double ABS = 1e-5;
    private static final double REL = 1e-5;
    /** The golden images with a Gram case (the ones whose scale.imagenet input is stored). */
    private static final int[] IMAGES = {2, 4};

    private static VggGramEncoder vgg;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        vgg = VggGramEncoder.load(Golden.path("eval/vgg_tiny.safetensors"));
    }

    @Test
    void capturesTheFirstConvOfEachStage() {
        assertThat(vgg.features().capturedIndices()).containsExactly(0, 5, 10, 19, 28);
    }

    @Test
    void gramsMatchTheReferenceWithItsInPlaceReluQuirk() throws Exception {
        try (SafetensorsFile pre = EncoderGolden.open("preprocess_io.safetensors");
             SafetensorsFile io = EncoderGolden.open("metrics_io.safetensors")) {
            for (int i : IMAGES) {
                Tensor grams = vgg.encodePixels(pre.tensor("img" + i + ".scale.imagenet").unsqueeze(0));
                assertClose("grams img" + i, grams, io.tensor("vgg.grams_img" + i), ABS, REL);
                // The variant with every capture pre-ReLU is measurably different: the quirk matters.
                Tensor notInPlace = io.tensor("vgg.grams_if_relu_not_inplace_img" + i);
                assertThatThrownBy(() -> assertClose("", grams, notInPlace, ABS, REL)).isInstanceOf(AssertionError.class);
            }
        }
    }

    /** From the PNGs: 'resize' becomes the aspect-keeping 'resize_rectangle', images of other sizes batch apart. */
    @Test
    void encodeImagesKeepsTheAspectRatio() throws Exception {
        List<RgbImage> all = EncoderGolden.images();
        try (SafetensorsFile io = EncoderGolden.open("metrics_io.safetensors")) {
            Tensor grams = vgg.encodeImages(List.of(all.get(2), all.get(4)), ResizeMode.STRETCH);
            for (int r = 0; r < IMAGES.length; r++) {
                assertClose("grams img" + IMAGES[r] + " from PNG", grams.narrow(0, r, 1),
                        io.tensor("vgg.grams_img" + IMAGES[r]), ABS, REL);
            }
        }
    }

    @Test
    void batchNormVariantsAreRejected() throws Exception {
        Path file = dir.resolve("vgg_bn.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(Golden.path("eval/vgg_tiny.safetensors"))) {
            Map<String, Tensor> tensors = f.loadAll();
            tensors.put("features.1.weight", Tensors.fromFloats(new float[4], 4));
            SafetensorsWriter.write(file, tensors, Map.of());
        }
        assertThatThrownBy(() -> VggGramEncoder.load(file))
                .hasMessageContaining(file.toString()).hasMessageContaining("features.1.weight");
    }
}
