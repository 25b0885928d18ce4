package dev.lycoris4j.eval.encoders;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.eval.image.ResizeMode;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden case b_dinov2: HF and torch.hub layouts, position resampling, layer scale; DINO v1 by invariant. */
class DinoEncoderGoldenTest {
    private static final JsonNode CASE = EncoderGolden.testCase("b_dinov2");
    private static final double ABS = CASE.path("tolerance").path("abs").asDouble();
    /** Every input size of dinov2_io; 35x43 is HF-only (the hub asserts whole patches). */
    private static final List<String> SIZES = List.of("24x24", "32x32", "35x43", "48x40", "56x56");
    private static final int PATCH = CASE.path("config").path("patch_size").asInt();

    private static VisionTransformer hf;
    private static VisionTransformer hub;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        assertThat(ABS).isPositive();
        hf = DinoCheckpoints.load(EncoderGolden.DINOV2_TINY);
        hub = DinoCheckpoints.hubFile(EncoderGolden.DINOV2_HUB, EncoderGolden.DINOV2_TINY_HEADS);
    }

    @Test
    void hfLayoutMatchesLastHiddenStateAndPoolerAtEverySize() throws Exception {
        try (SafetensorsFile io = EncoderGolden.open("dinov2_io.safetensors")) {
            for (String size : SIZES) {
                Tensor pixels = io.tensor("pixel_" + size);
                assertClose(size + " last_hidden_state", hf.forward(pixels), io.tensor(size + ".last_hidden_state"), ABS, 0);
                assertClose(size + " pooler_output", hf.pooled(pixels), io.tensor(size + ".pooler_output"), ABS, 0);
            }
        }
    }

    /** The resampled tables themselves, to float32 rounding: identity at 32x32, "+0.1" bicubic elsewhere. */
    @Test
    void positionTableIsResampledAsTheReferenceDoes() throws Exception {
        try (SafetensorsFile io = EncoderGolden.open("dinov2_io.safetensors")) {
            for (String size : SIZES) {
                String[] hw = size.split("x");
                int h = Integer.parseInt(hw[0]), w = Integer.parseInt(hw[1]);
                Tensor table = hf.positionsFor(h / PATCH, w / PATCH, h == w).unsqueeze(0);
                assertClose("pos_embed_interpolated_" + size, table, io.tensor("pos_embed_interpolated_" + size), 1e-6, 0);
            }
        }
    }

    @Test
    void hubLayoutMatchesXNormClsToken() throws Exception {
        assertThat(hub.config().layerScale()).isTrue();
        try (SafetensorsFile io = EncoderGolden.open("dinov2_io.safetensors")) {
            for (String size : List.of("24x24", "32x32", "48x40", "56x56", "png_letterbox56")) {
                Tensor pixels = io.tensor("pixel_" + size);
                assertClose(size + " hub x_norm_clstoken", hub.pooled(pixels), io.tensor(size + ".hub_x_norm_clstoken"), ABS, 0);
            }
        }
    }

    /** LyCORIS-evaluation's image_transform(56, ImageNet, 'padding') of the six PNGs, then the model. */
    @Test
    void encodeImagesAppliesTheEvaluationPreprocessing() throws Exception {
        DinoEncoder encoder = new DinoEncoder(hf, 56);
        assertThat(encoder.name()).isEqualTo("dinov2");
        try (SafetensorsFile io = EncoderGolden.open("dinov2_io.safetensors")) {
            assertClose("png_letterbox56 features", encoder.encodeImages(EncoderGolden.images(), ResizeMode.LETTERBOX),
                    io.tensor("png_letterbox56.pooler_output"), ABS, 0);
        }
    }

    /**
     * DINO v1 has DINOv2's blocks without layer scale. Folding each γ into the projection before it
     * (γ ⊙ (Wx + b) = (diag(γ)W)x + γ ⊙ b) turns the DINOv2 hub file into a DINO v1 hub file with
     * the same function, which must then reproduce DINOv2's golden outputs.
     */
    @Test
    void dinoV1LayoutIsDinov2WithLayerScaleFoldedIn() throws Exception {
        Map<String, Tensor> folded = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(EncoderGolden.DINOV2_HUB)) {
            Map<String, Tensor> all = f.loadAll();
            for (var e : all.entrySet()) {
                String k = e.getKey();
                if (k.equals("mask_token") || k.endsWith(".gamma")) continue;
                Tensor t = e.getValue();
                String gamma = k.endsWith("attn.proj.weight") || k.endsWith("attn.proj.bias") ? "ls1.gamma"
                        : k.endsWith("mlp.fc2.weight") || k.endsWith("mlp.fc2.bias") ? "ls2.gamma" : null;
                if (gamma != null) {
                    Tensor g = all.get(k.substring(0, k.indexOf('.', "blocks.".length()) + 1) + gamma);
                    t = t.dim() == 2 ? t.mul(g.unsqueeze(1)) : t.mul(g);
                }
                folded.put(k, t);
            }
        }
        Path file = dir.resolve("dino_v1_layout.safetensors");
        SafetensorsWriter.write(file, folded, Map.of());
        VisionTransformer dino = DinoCheckpoints.hubFile(file, EncoderGolden.DINOV2_TINY_HEADS);
        assertThat(dino.config().layerScale()).isFalse();
        assertThat(new DinoEncoder(dino, 224).name()).isEqualTo("dino");
        try (SafetensorsFile io = EncoderGolden.open("dinov2_io.safetensors")) {
            for (String size : List.of("32x32", "48x40")) {
                assertClose(size + " DINO v1 layout", dino.pooled(io.tensor("pixel_" + size)),
                        io.tensor(size + ".hub_x_norm_clstoken"), ABS, 0);
            }
        }
    }

    @Test
    void unsupportedVariantsAndWrongFilesAreClearErrors() throws Exception {
        Map<String, Tensor> tensors;
        try (SafetensorsFile f = SafetensorsFile.open(EncoderGolden.DINOV2_HUB)) {
            tensors = f.loadAll();
        }
        tensors.put("register_tokens", Tensors.fromFloats(new float[4 * 32], 1, 4, 32));
        Path registers = dir.resolve("registers.safetensors");
        SafetensorsWriter.write(registers, tensors, Map.of());
        assertThatThrownBy(() -> DinoCheckpoints.hubFile(registers, 4))
                .hasMessageContaining(registers.toString()).hasMessageContaining("register_tokens");
        // Width 32 is no multiple of 64 and no config.json lies beside the golden file.
        assertThatThrownBy(() -> DinoEncoder.load(EncoderGolden.DINOV2_HUB, 224))
                .hasMessageContaining("num_attention_heads");
        assertThatThrownBy(() -> DinoEncoder.load(EncoderGolden.CLIP_TINY, 224))
                .hasMessageContaining("config.json").hasMessageContaining("'clip'");
        assertThatThrownBy(() -> DinoEncoder.load(EncoderGolden.CLIP_TINY.resolve("model.safetensors"), 224))
                .hasMessageContaining("not a torch.hub DINO checkpoint");
        assertThatThrownBy(() -> new DinoEncoder(hf, 224).transform(ResizeMode.SCALE)).hasMessageContaining("square");
    }
}
