package dev.lycoris4j.eval.encoders;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.eval.metrics.DenseMatrix;
import dev.lycoris4j.eval.metrics.TextImageSimilarity;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Golden case a_clip: the tiny HF CLIPModel, image and text towers. */
class ClipEncoderGoldenTest {
    private static final JsonNode CASE = EncoderGolden.testCase("a_clip");
    private static final double EMBEDS_ABS = CASE.path("tolerance").path("embeds_abs").asDouble();
    private static ClipEncoder clip;

    @BeforeAll
    static void load() {
        assertThat(EMBEDS_ABS).isPositive();
        clip = ClipEncoder.load(EncoderGolden.CLIP_TINY, EncoderGolden.CLIP_TOKENIZER);
    }

    @Test
    void visionTowerMatchesEveryHiddenStateAndTheProjection() throws Exception {
        try (SafetensorsFile io = EncoderGolden.open("clip_io.safetensors")) {
            Tensor pixels = io.tensor("pixel_values_random");
            List<Tensor> states = clip.vision().transformer().hiddenStates(pixels);
            assertThat(states).hasSize(3);
            for (int k = 0; k < states.size(); k++) {
                assertClose("vision hidden state " + k, states.get(k), io.tensor("vision_hidden_states_" + k + "_random"), EMBEDS_ABS, 0);
            }
            assertClose("vision last_hidden_state", states.getLast(), io.tensor("vision_last_hidden_state_random"), EMBEDS_ABS, 0);
            assertClose("vision pooler_output", clip.vision().transformer().pooled(pixels), io.tensor("vision_pooler_output_random"), EMBEDS_ABS, 0);
            assertClose("image_embeds_random", clip.encodePixels(pixels), io.tensor("image_embeds_random"), EMBEDS_ABS, 0);
            assertClose("image_embeds_png", clip.encodePixels(io.tensor("pixel_values_png")), io.tensor("image_embeds_png"), EMBEDS_ABS, 0);
        }
    }

    @Test
    void textTowerMatchesFromIdsAndFromPrompts() throws Exception {
        try (SafetensorsFile io = EncoderGolden.open("clip_io.safetensors")) {
            ClipTextModel.Output out = clip.text().forward(io.tensor("input_ids"));
            assertClose("text last_hidden_state", out.lastHiddenState(), io.tensor("text_last_hidden_state"), EMBEDS_ABS, 0);
            assertClose("text pooler_output", out.pooled(), io.tensor("text_pooler_output"), EMBEDS_ABS, 0);
            assertClose("text_embeds from ids", clip.encodeTokenIds(io.tensor("input_ids")), io.tensor("text_embeds"), EMBEDS_ABS, 0);

            List<String> prompts = new ArrayList<>();
            CASE.path("prompts").forEach(p -> prompts.add(p.asText()));
            assertThat(prompts).hasSize(5);
            assertClose("text_embeds from prompts", clip.encodeTexts(prompts), io.tensor("text_embeds"), EMBEDS_ABS, 0);
        }
    }

    /** The manifest's LyCORIS-eval CLIP-T value, from this port's features and the metrics helper. */
    @Test
    void textImageSimilarityOfTheFeaturesMatchesTheReferenceScore() throws Exception {
        try (SafetensorsFile io = EncoderGolden.open("clip_io.safetensors")) {
            DenseMatrix text = DenseMatrix.fromTensor(clip.encodeTokenIds(io.tensor("input_ids")));
            DenseMatrix images = DenseMatrix.fromTensor(clip.encodePixels(io.tensor("pixel_values_png"))).rowRange(0, 5);
            assertThat(TextImageSimilarity.mean(text, images))
                    .isCloseTo(CASE.path("clip_t_lycoris_eval_compute_cosine_similarity").asDouble(), within(1e-5));
        }
    }

    @Test
    void squareOnlyAndSizeMismatchesAreClearErrors() throws Exception {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> clip.transform(dev.lycoris4j.eval.image.ResizeMode.SCALE))
                .hasMessageContaining("square");
        try (SafetensorsFile io = EncoderGolden.open("dinov2_io.safetensors")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> clip.encodePixels(io.tensor("pixel_48x40")))
                    .hasMessageContaining("32x32 inputs");
        }
    }
}
