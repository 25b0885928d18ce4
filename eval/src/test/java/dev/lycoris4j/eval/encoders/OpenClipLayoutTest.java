package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OpenCLIP layout (spec §5.2) against the HF one: the tiny CLIPModel's tensors rewritten here
 * under OpenCLIP names (q;k;v rows fused into in_proj, projections transposed to x·P) must give the
 * HF model's outputs, and so the golden ones.
 */
class OpenClipLayoutTest {
    private static final Pattern LAYER = Pattern.compile("(text|vision)_model\\.encoder\\.layers\\.(\\d+)\\.(.+)\\.(weight|bias)");
    private static final Map<String, String> BLOCK = Map.of("layer_norm1", "ln_1", "layer_norm2", "ln_2",
            "self_attn.out_proj", "attn.out_proj", "mlp.fc1", "mlp.c_fc", "mlp.fc2", "mlp.c_proj");
    private static final Map<String, String> TOP = Map.of(
            "text_model.embeddings.token_embedding.weight", "token_embedding.weight",
            "text_model.embeddings.position_embedding.weight", "positional_embedding",
            "text_model.final_layer_norm.weight", "ln_final.weight",
            "text_model.final_layer_norm.bias", "ln_final.bias",
            "vision_model.embeddings.class_embedding", "visual.class_embedding",
            "vision_model.embeddings.patch_embedding.weight", "visual.conv1.weight",
            "vision_model.embeddings.position_embedding.weight", "visual.positional_embedding",
            "logit_scale", "logit_scale");
    /** open_clip model config of the tiny model (manifest a_clip config: 4 heads of width 8, quick_gelu). */
    private static final String TINY_CONFIG = """
            {"model_cfg": {"embed_dim": 16, "quick_gelu": %s,
              "vision_cfg": {"image_size": 32, "layers": 2, "width": 32, "patch_size": 8, "head_width": 8},
              "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 4, "layers": 3}}}
            """;

    private static ClipEncoder hf;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadHf() {
        hf = ClipEncoder.load(EncoderGolden.CLIP_TINY, EncoderGolden.CLIP_TOKENIZER);
    }

    /** transformers CLIPModel names → open_clip names, as convert_clip_original_pytorch_to_hf.py maps them backwards. */
    private static Map<String, Tensor> toOpenClip(Map<String, Tensor> hfTensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Tensor[]> fused = new TreeMap<>();
        for (var e : hfTensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            Matcher m = LAYER.matcher(name);
            if (m.matches()) {
                String prefix = (m.group(1).equals("vision") ? "visual." : "") + "transformer.resblocks." + m.group(2) + ".";
                int qkv = List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj").indexOf(m.group(3));
                if (qkv >= 0) {
                    fused.computeIfAbsent(prefix + "attn.in_proj_" + m.group(4), k -> new Tensor[3])[qkv] = t;
                } else {
                    out.put(prefix + BLOCK.get(m.group(3)) + "." + m.group(4), t);
                }
            } else if (name.equals("visual_projection.weight")) {
                out.put("visual.proj", t.t().contiguous());
            } else if (name.equals("text_projection.weight")) {
                out.put("text_projection", t.t().contiguous());
            } else if (name.startsWith("vision_model.pre_layrnorm.")) {
                out.put("visual.ln_pre." + name.substring(name.lastIndexOf('.') + 1), t);
            } else if (name.startsWith("vision_model.post_layernorm.")) {
                out.put("visual.ln_post." + name.substring(name.lastIndexOf('.') + 1), t);
            } else {
                out.put(java.util.Objects.requireNonNull(TOP.get(name), name), t);
            }
        }
        fused.forEach((k, parts) -> out.put(k, torch.cat(new TensorVector(parts), 0)));
        return out;
    }

    private Path writeOpenClip(String config) throws Exception {
        Path file = dir.resolve("open_clip_model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(EncoderGolden.CLIP_TINY.resolve("model.safetensors"))) {
            SafetensorsWriter.write(file, toOpenClip(f.loadAll()), Map.of());
        }
        if (config != null) Files.writeString(dir.resolve("open_clip_config.json"), config);
        return file;
    }

    @Test
    void openClipLayoutGivesTheHfOutputs() throws Exception {
        ClipEncoder openClip = ClipEncoder.load(writeOpenClip(TINY_CONFIG.formatted("true")), EncoderGolden.CLIP_TOKENIZER);
        try (SafetensorsFile io = EncoderGolden.open("clip_io.safetensors")) {
            Tensor pixels = io.tensor("pixel_values_png");
            Tensor ids = io.tensor("input_ids");
            assertClose("image features vs HF layout", openClip.encodePixels(pixels), hf.encodePixels(pixels), 1e-6, 0);
            assertClose("text features vs HF layout", openClip.encodeTokenIds(ids), hf.encodeTokenIds(ids), 1e-6, 0);
            assertClose("image features vs golden", openClip.encodePixels(pixels), io.tensor("image_embeds_png"), 1e-4, 0);
            // open_clip's tokenizer pads with 0 instead of EOT; the causal mask makes that irrelevant.
            List<String> texts = new java.util.ArrayList<>();
            EncoderGolden.testCase("a_clip").path("prompts").forEach(p -> texts.add(p.asText()));
            assertThat(texts).hasSize(5);
            assertClose("text features from prompts vs golden", openClip.encodeTexts(texts), io.tensor("text_embeds"), 1e-4, 0);
        }
    }

    @Test
    void activationComesFromTheOpenClipConfig() throws Exception {
        ClipEncoder gelu = ClipEncoder.load(writeOpenClip(TINY_CONFIG.formatted("false")), EncoderGolden.CLIP_TOKENIZER);
        try (SafetensorsFile io = EncoderGolden.open("clip_io.safetensors")) {
            Tensor pixels = io.tensor("pixel_values_png");
            assertThat(Tensors.maxAbsDiff(gelu.encodePixels(pixels), hf.encodePixels(pixels))).isGreaterThan(1e-3);
        }
    }

    @Test
    void withoutAConfigANarrowModelNeedsOne() throws Exception {
        Path file = writeOpenClip(null);
        assertThatThrownBy(() -> ClipEncoder.load(file, EncoderGolden.CLIP_TOKENIZER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("cannot infer the head count")
                .hasMessageContaining("open_clip_config.json");
    }

    @Test
    void anUnusedTensorIsReportedByName() throws Exception {
        Path file = dir.resolve("extra.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(EncoderGolden.CLIP_TINY.resolve("model.safetensors"))) {
            Map<String, Tensor> tensors = toOpenClip(f.loadAll());
            tensors.put("visual.attn_pool.query", Tensors.fromFloats(new float[64], 2, 32));
            SafetensorsWriter.write(file, tensors, Map.of());
        }
        Files.writeString(dir.resolve("open_clip_config.json"), TINY_CONFIG.formatted("true"));
        assertThatThrownBy(() -> ClipEncoder.load(file, EncoderGolden.CLIP_TOKENIZER))
                .hasMessageContaining("visual.attn_pool.query").hasMessageContaining(file.toString());
    }
}
