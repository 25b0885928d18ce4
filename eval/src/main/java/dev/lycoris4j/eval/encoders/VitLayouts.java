package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.checkpoint.TensorSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Checkpoint key layouts (spec §5), each a function from this package's model names (HF CLIP's, see
 * {@link VisionTransformer}; HF names for the text tower) to the file tensor holding the value. The
 * model stays one class; only the names differ.
 */
final class VitLayouts {
    private VitLayouts() {}

    private static final List<String> QKV = List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj");

    /**
     * Renames: a model name, or the module path in front of its last component, → the file's name;
     * transformer blocks are renamed by {@code block} under their own prefixes.
     *
     * @param fusedQkv   file sub-path of a fused q;k;v projection (rows in that order), or null
     * @param transposed model names stored transposed (x·P projections)
     */
    record Layout(String layerPrefix, String fileLayerPrefix, Map<String, String> block, String fusedQkv,
                  Map<String, String> names, Set<String> transposed) implements Function<String, TensorSource> {

        @Override
        public TensorSource apply(String name) {
            if (name.startsWith(layerPrefix)) {
                String rest = name.substring(layerPrefix.length());
                int dot = rest.indexOf('.');
                String filePrefix = fileLayerPrefix + rest.substring(0, dot + 1);
                String inner = rest.substring(dot + 1);
                int part = fusedQkv == null ? -1 : QKV.indexOf(inner.substring(0, inner.lastIndexOf('.')));
                if (part >= 0) return TensorSource.rows(filePrefix + fusedQkv + leaf(inner), part, 3);
                return TensorSource.of(filePrefix + rename(block, inner));
            }
            String key = rename(names, name);
            return transposed.contains(name) ? TensorSource.transposed(key) : TensorSource.of(key);
        }

        private static String rename(Map<String, String> renames, String name) {
            String full = renames.get(name);
            if (full != null) return full;
            int dot = name.lastIndexOf('.');
            String module = dot < 0 ? null : renames.get(name.substring(0, dot));
            if (module == null) throw new IllegalStateException("no checkpoint name for model tensor " + name);
            return module + "." + leaf(name);
        }

        private static String leaf(String name) {
            return name.substring(name.lastIndexOf('.') + 1);
        }
    }

    /** OpenCLIP's residual blocks, the same in both towers (in_proj_weight / in_proj_bias fused). */
    private static final Map<String, String> OPEN_CLIP_BLOCK = Map.of(
            "layer_norm1", "ln_1", "layer_norm2", "ln_2", "self_attn.out_proj", "attn.out_proj",
            "mlp.fc1", "mlp.c_fc", "mlp.fc2", "mlp.c_proj");

    /** OpenCLIP image tower ({@code visual.*}) for {@link ClipVisionModel}'s names. */
    static final Layout OPEN_CLIP_VISION = new Layout("vision_model.encoder.layers.", "visual.transformer.resblocks.",
            OPEN_CLIP_BLOCK, "attn.in_proj_", Map.of(
                    "vision_model.embeddings.class_embedding", "visual.class_embedding",
                    "vision_model.embeddings.patch_embedding", "visual.conv1",
                    "vision_model.embeddings.position_embedding.weight", "visual.positional_embedding",
                    "vision_model.pre_layrnorm", "visual.ln_pre",
                    "vision_model.post_layernorm", "visual.ln_post",
                    "visual_projection.weight", "visual.proj"),
            Set.of("visual_projection.weight"));

    /** OpenCLIP text tower (top-level names) for transformers' CLIP text names. */
    static final Layout OPEN_CLIP_TEXT = new Layout("text_model.encoder.layers.", "transformer.resblocks.",
            OPEN_CLIP_BLOCK, "attn.in_proj_", Map.of(
                    "text_model.embeddings.token_embedding", "token_embedding",
                    "text_model.embeddings.position_embedding.weight", "positional_embedding",
                    "text_model.final_layer_norm", "ln_final",
                    "text_projection.weight", "text_projection"),
            Set.of("text_projection.weight"));

    /** OpenCLIP keys that carry nothing the encoders need. */
    static final Predicate<String> OPEN_CLIP_IGNORED = k -> k.equals("logit_scale") || k.equals("attn_mask");

    /** transformers' CLIPModel keys that carry nothing the encoders need. */
    static final Predicate<String> HF_CLIP_IGNORED = k -> k.equals("logit_scale") || k.endsWith(".position_ids");

    /** transformers' Dinov2Model ({@code embeddings.*}, {@code encoder.layer.N.*}, {@code layernorm}). */
    static final Layout DINOV2_HF = new Layout("encoder.layers.", "encoder.layer.", Map.of(
            "layer_norm1", "norm1", "layer_norm2", "norm2",
            "self_attn.q_proj", "attention.attention.query", "self_attn.k_proj", "attention.attention.key",
            "self_attn.v_proj", "attention.attention.value", "self_attn.out_proj", "attention.output.dense",
            "mlp.fc1", "mlp.fc1", "mlp.fc2", "mlp.fc2",
            "layer_scale1", "layer_scale1", "layer_scale2", "layer_scale2"), null, Map.of(
            "embeddings.class_embedding", "embeddings.cls_token",
            "embeddings.patch_embedding", "embeddings.patch_embeddings.projection",
            "embeddings.position_embedding.weight", "embeddings.position_embeddings",
            "post_layernorm", "layernorm"), Set.of());

    /** The mask token is for masked-image training only. */
    static final Predicate<String> DINOV2_HF_IGNORED = k -> k.equals("embeddings.mask_token");

    /**
     * torch.hub / timm-style names of facebookresearch/dinov2 and facebookresearch/dino
     * ({@code cls_token}, {@code pos_embed}, {@code blocks.N.attn.qkv}, {@code ls1.gamma}, {@code norm}).
     */
    static final Layout HUB = new Layout("encoder.layers.", "blocks.", Map.of(
            "layer_norm1", "norm1", "layer_norm2", "norm2", "self_attn.out_proj", "attn.proj",
            "mlp.fc1", "mlp.fc1", "mlp.fc2", "mlp.fc2",
            "layer_scale1.lambda1", "ls1.gamma", "layer_scale2.lambda1", "ls2.gamma"), "attn.qkv.", Map.of(
            "embeddings.class_embedding", "cls_token",
            "embeddings.patch_embedding", "patch_embed.proj",
            "embeddings.position_embedding.weight", "pos_embed",
            "post_layernorm", "norm"), Set.of());

    static final Predicate<String> HUB_IGNORED = k -> k.equals("mask_token");
}
