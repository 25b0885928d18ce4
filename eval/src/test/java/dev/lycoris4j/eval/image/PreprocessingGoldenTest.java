package dev.lycoris4j.eval.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden case c_preprocessing: LyCORIS-evaluation's four resize modes and the two HF processors. */
class PreprocessingGoldenTest {
    private static final int SIZE = 224;
    private static final double FLOAT_TOLERANCE = 1e-6;
    private static final Map<String, ResizeMode> GOLDEN_MODE_NAMES = Map.of(
            "scale", ResizeMode.SCALE, "letterbox", ResizeMode.LETTERBOX,
            "crop", ResizeMode.CENTER_CROP, "stretch", ResizeMode.STRETCH);
    private static final Map<String, ChannelNormalization> GOLDEN_NORMALIZATIONS = Map.of(
            "clip", ChannelNormalization.OPENAI_CLIP, "imagenet", ChannelNormalization.IMAGENET);

    private static SafetensorsFile golden;
    private static List<JsonNode> entries;
    private static RgbImage[] images;

    @BeforeAll
    static void open() throws Exception {
        golden = SafetensorsFile.open(PreprocessGolden.tensors());
        entries = PreprocessGolden.images();
        images = new RgbImage[entries.size()];
        for (int i = 0; i < images.length; i++) images[i] = PreprocessGolden.decode(entries.get(i));
    }

    @AfterAll
    static void close() {
        golden.close();
    }

    private static void assertPixelsEqual(RgbImage actual, String key) throws Exception {
        long[] shape = golden.info(key).shape();
        assertThat(new long[] {actual.height(), actual.width(), 3}).as(key + " shape").containsExactly(shape);
        byte[] expected = PreprocessGolden.u8(golden, key);
        int differing = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual.rgb()[i]) differing++;
        }
        assertThat(differing).as(key + ": bytes differing from Pillow").isZero();
    }

    private static void assertFloatsClose(Tensor actual, String key) throws Exception {
        assertThat(Tensors.shape(actual)).as(key + " shape").containsExactly(golden.info(key).shape());
        float[] expected = PreprocessGolden.f32(golden, key);
        float[] got = Tensors.toFloats(actual);
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - got[i]));
        assertThat(maxDiff).as(key + " max |diff|").isLessThanOrEqualTo(FLOAT_TOLERANCE);
    }

    @Test
    void everyResizeModeIsBitExactForEveryImage() throws Exception {
        for (int i = 0; i < images.length; i++) {
            for (Map.Entry<String, ResizeMode> mode : GOLDEN_MODE_NAMES.entrySet()) {
                RgbImage out = mode.getValue().apply(images[i], SIZE);
                assertPixelsEqual(out, "img" + i + "." + mode.getKey() + ".u8");
                JsonNode shape = entries.get(i).path(mode.getKey() + "_shape_hwc");
                assertThat(new int[] {out.height(), out.width(), 3})
                        .containsExactly(shape.get(0).asInt(), shape.get(1).asInt(), shape.get(2).asInt());
            }
        }
    }

    @Test
    void normalisedTensorsMatchTorchvision() throws Exception {
        JsonNode stored = PreprocessGolden.caseNode().path("float_outputs_stored");
        int checked = 0;
        for (JsonNode keyNode : stored) {
            String[] parts = keyNode.asText().split("\\.");
            if (!GOLDEN_MODE_NAMES.containsKey(parts[1])) continue;
            int index = Integer.parseInt(parts[0].substring("img".length()));
            ImageTransform transform = new ImageTransform(SIZE, GOLDEN_MODE_NAMES.get(parts[1]),
                    GOLDEN_NORMALIZATIONS.get(parts[2]));
            try (Tensor t = transform.apply(images[index])) {
                assertFloatsClose(t, keyNode.asText());
            }
            checked++;
        }
        assertThat(checked).isEqualTo(9);
    }

    @Test
    void hfProcessorsMatchTransformers() throws Exception {
        for (int i = 0; i < images.length; i++) {
            assertPixelsEqual(HfImageProcessor.CLIP.resizeAndCrop(images[i]), "img" + i + ".hf_clip.u8");
            assertPixelsEqual(HfImageProcessor.DINOV2.resizeAndCrop(images[i]), "img" + i + ".hf_dinov2.u8");
        }
        for (String key : List.of("img0.hf_clip.float", "img1.hf_clip.float")) {
            try (Tensor t = HfImageProcessor.CLIP.pixelValues(images[key.charAt(3) - '0'])) {
                assertFloatsClose(t, key);
            }
        }
        try (Tensor t = HfImageProcessor.DINOV2.pixelValues(images[1])) {
            assertFloatsClose(t, "img1.hf_dinov2.float");
        }
    }

    @Test
    void cropOffsetsFollowEachReferencesRoundingRule() {
        for (int i = 0; i < images.length; i++) {
            JsonNode entry = entries.get(i);
            RgbImage resized = ResizeMode.resizeShorterSide(images[i], SIZE);
            int excess = Math.max(resized.width(), resized.height()) - SIZE;
            assertThat(excess + SIZE).isEqualTo(entry.path("crop_resized_long_side").asInt());
            assertThat((int) Math.rint(excess / 2.0)).isEqualTo(entry.path("crop_offset_torchvision_round_half_even").asInt());
            assertThat(excess / 2).isEqualTo(entry.path("crop_offset_hf_floor").asInt());
        }
    }
}
