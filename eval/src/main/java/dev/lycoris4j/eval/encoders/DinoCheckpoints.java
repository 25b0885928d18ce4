package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.checkpoint.CheckpointFill;
import dev.lycoris4j.core.checkpoint.TensorSource;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.diffusion.ConfigJson;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Builds the DINO vision transformers from their checkpoint layouts (spec §5.3–§5.5). All use
 * LayerNorm eps 1e-6, exact GELU, a patch conv with bias and the "+0.1" position resampling;
 * DINOv2 adds layer scale.
 */
final class DinoCheckpoints {
    private DinoCheckpoints() {}

    static VisionTransformer load(Path model) {
        if (Files.isDirectory(model)) return hfFolder(model);
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("DINO model not found: " + model);
        return hubFile(model, null);
    }

    /** transformers' Dinov2Model: config.json (absent fields take Dinov2Config's defaults) + model.safetensors. */
    static VisionTransformer hfFolder(Path dir) {
        Path configFile = dir.resolve("config.json");
        ConfigJson c = ConfigJson.read(configFile);
        String type = c.string("model_type", "");
        if (!type.equals("dinov2")) {
            throw new IllegalArgumentException(configFile + ": model_type '" + type + "' is not a DINOv2 model (expected 'dinov2')");
        }
        if (c.bool("use_swiglu_ffn", false)) {
            throw new IllegalArgumentException(configFile + ": SwiGLU feed-forward (ViT-g) is not supported");
        }
        int width = c.integer("hidden_size", 768);
        int patch = c.integer("patch_size", 16);
        int imageSize = c.integer("image_size", 224);
        if (imageSize % patch != 0) {
            throw new IllegalArgumentException(configFile + ": image_size " + imageSize + " is not a multiple of patch_size " + patch);
        }
        VitConfig config = new VitConfig(width, c.integer("num_hidden_layers", 12), c.integer("num_attention_heads", 12),
                width * c.integer("mlp_ratio", 4), patch, imageSize / patch, c.number("layer_norm_eps", 1e-6),
                c.string("hidden_act", "gelu"), true, c.bool("qkv_bias", true), false, true, true);
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("no model.safetensors in " + dir + " (convert pytorch_model.bin to safetensors)");
        }
        return build(weights, config, VitLayouts.DINOV2_HF, VitLayouts.DINOV2_HF_IGNORED);
    }

    /**
     * A torch.hub state dict (DINOv2 {@code dinov2_vit*14}, DINO v1 {@code dino_vit*}): sizes from the
     * shapes, layer scale when {@code ls1.gamma} is present; heads = {@code heads} when given, else
     * {@code num_attention_heads} of a config.json beside the file, else width / 64.
     */
    static VisionTransformer hubFile(Path file, Integer heads) {
        VitConfig config;
        try (SafetensorsFile f = CheckpointFill.open(file)) {
            if (!f.contains("cls_token") || !f.contains("blocks.0.attn.qkv.weight")) {
                throw new IllegalArgumentException(file + ": not a torch.hub DINO checkpoint (no cls_token / blocks.0.attn.qkv.weight)");
            }
            int width = CheckpointShapes.dim(f, "cls_token", -1);
            int patch = CheckpointShapes.dim(f, "patch_embed.proj.weight", 2);
            if (CheckpointShapes.dim(f, "patch_embed.proj.weight", 3) != patch) {
                throw new IllegalArgumentException(file + ": non-square patches are not supported");
            }
            config = new VitConfig(width, CheckpointShapes.count(f, "blocks.", ".norm1.weight"),
                    heads != null ? heads : headsBeside(f, width), CheckpointShapes.dim(f, "blocks.0.mlp.fc1.weight", 0),
                    patch, CheckpointShapes.grid(f, "pos_embed", 1), 1e-6, "gelu", true,
                    f.contains("blocks.0.attn.qkv.bias"), false, f.contains("blocks.0.ls1.gamma"), true);
        }
        return build(file, config, VitLayouts.HUB, VitLayouts.HUB_IGNORED);
    }

    private static int headsBeside(SafetensorsFile f, int width) {
        Path config = f.path().toAbsolutePath().getParent().resolve("config.json");
        if (Files.isRegularFile(config)) {
            ConfigJson c = ConfigJson.read(config);
            if (c.has("num_attention_heads")) return c.integer("num_attention_heads");
        }
        return CheckpointShapes.headsFromWidth(f, width, "a config.json with num_attention_heads");
    }

    private static VisionTransformer build(Path weights, VitConfig config, Function<String, TensorSource> layout,
                                           Predicate<String> ignored) {
        VisionTransformer model = new VisionTransformer(config, Placement.cpu());
        CheckpointFill.load(weights, List.of(new CheckpointFill.Target(model, layout)), ignored);
        model.train(false);
        return model;
    }
}
