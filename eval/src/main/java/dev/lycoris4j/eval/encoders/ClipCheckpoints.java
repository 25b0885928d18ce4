package dev.lycoris4j.eval.encoders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lycoris4j.core.checkpoint.CheckpointFill;
import dev.lycoris4j.core.checkpoint.TensorSource;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.diffusion.ConfigJson;
import dev.lycoris4j.diffusion.text.ClipTextConfig;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.tokenizer.ClipTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Builds a {@link ClipEncoder} from either checkpoint layout of spec §5.1 / §5.2. Both towers end
 * up in the same modules; only the key layout and where the hyper-parameters come from differ.
 */
final class ClipCheckpoints {
    private ClipCheckpoints() {}

    static ClipEncoder load(Path model, Path tokenizer) {
        if (Files.isDirectory(model)) return hfFolder(model, ClipTokenizers.locate(model, tokenizer, false));
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("CLIP model not found: " + model);
        return openClipFile(model, ClipTokenizers.locate(model, tokenizer, true));
    }

    /**
     * transformers' CLIPModel: config.json ({@code text_config}, {@code vision_config},
     * {@code projection_dim}; absent fields take CLIPConfig's defaults) and model.safetensors.
     */
    static ClipEncoder hfFolder(Path dir, ClipTokenizer tokenizer) {
        Path configFile = dir.resolve("config.json");
        ConfigJson config = ConfigJson.read(configFile);
        String type = config.string("model_type", "");
        if (!type.equals("clip")) {
            throw new IllegalArgumentException(configFile + ": model_type '" + type + "' is not a CLIP model (expected 'clip')");
        }
        int projection = config.integer("projection_dim", 512);
        ConfigJson text = section(config, "text_config");
        ConfigJson vision = section(config, "vision_config");
        ClipTextConfig textConfig = new ClipTextConfig(text.integer("vocab_size", 49408), text.integer("hidden_size", 512),
                text.integer("intermediate_size", 2048), text.integer("num_hidden_layers", 12),
                text.integer("num_attention_heads", 8), text.integer("max_position_embeddings", 77),
                text.string("hidden_act", "quick_gelu"), text.number("layer_norm_eps", 1e-5), projection,
                text.integer("eos_token_id", 49407), true);
        int width = vision.integer("hidden_size", 768);
        int patch = vision.integer("patch_size", 32);
        int imageSize = vision.integer("image_size", 224);
        if (imageSize % patch != 0) {
            throw new IllegalArgumentException(configFile + ": image_size " + imageSize + " is not a multiple of patch_size " + patch);
        }
        VitConfig vitConfig = new VitConfig(width, vision.integer("num_hidden_layers", 12),
                vision.integer("num_attention_heads", 12), vision.integer("intermediate_size", 3072), patch,
                imageSize / patch, vision.number("layer_norm_eps", 1e-5), vision.string("hidden_act", "quick_gelu"),
                false, true, true, false, false);
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("no model.safetensors in " + dir + " (convert pytorch_model.bin to safetensors)");
        }
        return build(weights, textConfig, vitConfig, projection, TensorSource::of, TensorSource::of,
                VitLayouts.HF_CLIP_IGNORED, tokenizer);
    }

    /**
     * An OpenCLIP state dict ({@code visual.*}, {@code transformer.*}, {@code ln_final},
     * {@code text_projection}): sizes from the tensor shapes; head counts and the activation from an
     * open_clip config beside the file when there is one, else 64-wide heads and exact GELU (every
     * OpenCLIP pretraining except OpenAI's, which uses quick_gelu).
     */
    static ClipEncoder openClipFile(Path file, ClipTokenizer tokenizer) {
        OpenClipSettings settings = OpenClipSettings.beside(file);
        ClipTextConfig textConfig;
        VitConfig vitConfig;
        int projection;
        try (SafetensorsFile f = CheckpointFill.open(file)) {
            if (!f.contains("visual.conv1.weight")) {
                throw new IllegalArgumentException(file + ": not an OpenCLIP checkpoint (no visual.conv1.weight)");
            }
            int width = CheckpointShapes.dim(f, "visual.conv1.weight", 0);
            String block0 = "visual.transformer.resblocks.0.";
            vitConfig = new VitConfig(width, CheckpointShapes.count(f, "visual.transformer.resblocks.", ".ln_1.weight"),
                    settings.visionHeads(f, width), CheckpointShapes.dim(f, block0 + "mlp.c_fc.weight", 0),
                    CheckpointShapes.dim(f, "visual.conv1.weight", 2), CheckpointShapes.grid(f, "visual.positional_embedding", 0),
                    1e-5, settings.activation(), false, true, true, false, false);
            projection = CheckpointShapes.dim(f, "visual.proj", 1);
            int textWidth = CheckpointShapes.dim(f, "token_embedding.weight", 1);
            // eos id 2 selects argmax pooling, which is OpenCLIP's text.argmax(dim=-1).
            textConfig = new ClipTextConfig(CheckpointShapes.dim(f, "token_embedding.weight", 0), textWidth,
                    CheckpointShapes.dim(f, "transformer.resblocks.0.mlp.c_fc.weight", 0),
                    CheckpointShapes.count(f, "transformer.resblocks.", ".ln_1.weight"), settings.textHeads(f, textWidth),
                    CheckpointShapes.dim(f, "positional_embedding", 0), settings.activation(), 1e-5,
                    CheckpointShapes.dim(f, "text_projection", 1), 2, true);
        }
        return build(file, textConfig, vitConfig, projection, VitLayouts.OPEN_CLIP_TEXT, VitLayouts.OPEN_CLIP_VISION,
                VitLayouts.OPEN_CLIP_IGNORED, tokenizer);
    }

    private static ClipEncoder build(Path weights, ClipTextConfig textConfig, VitConfig vitConfig, int projection,
                                     Function<String, TensorSource> textLayout, Function<String, TensorSource> visionLayout,
                                     Predicate<String> ignored, ClipTokenizer tokenizer) {
        ClipTextModel text = new ClipTextModel(textConfig, Placement.cpu());
        ClipVisionModel vision = new ClipVisionModel(vitConfig, projection, Placement.cpu());
        CheckpointFill.load(weights, List.of(new CheckpointFill.Target(text, textLayout),
                new CheckpointFill.Target(vision, visionLayout)), ignored);
        text.train(false);
        vision.train(false);
        return new ClipEncoder(vision, text, tokenizer);
    }

    /** A nested config object ({@code text_config}); errors name it as {@code config.json#text_config}. */
    private static ConfigJson section(ConfigJson config, String name) {
        JsonNode node = config.root().get(name);
        Path where = config.file().resolveSibling(config.file().getFileName() + "#" + name);
        if (node == null || node.isNull()) return new ConfigJson(where, JsonNodeFactory.instance.objectNode());
        if (!node.isObject()) throw new IllegalArgumentException(config.file() + ": field '" + name + "' must be an object");
        return new ConfigJson(where, node);
    }
}
