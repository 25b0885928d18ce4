package dev.lycoris4j.eval.encoders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.diffusion.ConfigJson;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What an OpenCLIP state dict does not say about itself: head counts and the activation. Read from
 * an open_clip model config beside the file ({@code open_clip_config.json} as on the HF hub, whose
 * {@code model_cfg} holds it, or a {@code config.json} in open_clip's model-config format with
 * {@code vision_cfg} / {@code text_cfg}); missing fields take open_clip's defaults. Without such a
 * file: 64-wide heads in both towers and exact GELU.
 *
 * @param config the model config section, or null when there is no config file
 */
record OpenClipSettings(ConfigJson config) {
    static final String FILE_NAME = "open_clip_config.json";

    static OpenClipSettings beside(Path weights) {
        Path dir = weights.toAbsolutePath().getParent();
        for (String name : new String[] {FILE_NAME, "config.json"}) {
            Path candidate = dir.resolve(name);
            if (!Files.isRegularFile(candidate)) continue;
            ConfigJson json = ConfigJson.read(candidate);
            JsonNode modelCfg = json.root().get("model_cfg");
            JsonNode root = modelCfg != null && modelCfg.isObject() ? modelCfg : json.root();
            if (root.has("vision_cfg") || root.has("text_cfg")) return new OpenClipSettings(new ConfigJson(candidate, root));
        }
        return new OpenClipSettings(null);
    }

    int visionHeads(SafetensorsFile f, int width) {
        if (config == null) return CheckpointShapes.headsFromWidth(f, width, FILE_NAME);
        int headWidth = section("vision_cfg").integer("head_width", 64);
        if (headWidth <= 0 || width % headWidth != 0) {
            throw new IllegalArgumentException(config.file() + ": vision head_width " + headWidth
                    + " does not divide the width " + width + " of " + f.path());
        }
        return width / headWidth;
    }

    int textHeads(SafetensorsFile f, int width) {
        if (config == null) return CheckpointShapes.headsFromWidth(f, width, FILE_NAME);
        ConfigJson text = section("text_cfg");
        String pool = text.string("pool_type", "argmax");
        if (!pool.equals("argmax")) {
            throw new IllegalArgumentException(config.file() + ": text pool_type '" + pool + "' is not supported (argmax only)");
        }
        return text.integer("heads", 8);
    }

    String activation() {
        return config != null && config.bool("quick_gelu", false) ? "quick_gelu" : "gelu";
    }

    private ConfigJson section(String name) {
        JsonNode node = config.root().get(name);
        return new ConfigJson(config.file(), node != null && node.isObject() ? node : JsonNodeFactory.instance.objectNode());
    }
}
