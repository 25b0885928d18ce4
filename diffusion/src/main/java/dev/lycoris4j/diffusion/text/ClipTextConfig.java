package dev.lycoris4j.diffusion.text;

import dev.lycoris4j.diffusion.ConfigJson;

import java.nio.file.Path;

/**
 * transformers' CLIPTextConfig. {@code withProjection}: CLIPTextModelWithProjection (SDXL's second
 * encoder) has a bias-free {@code text_projection}. {@code eosTokenId} 2 is the legacy value that
 * makes pooling take the argmax of the ids (the first EOT 49407), which SD relies on.
 */
public record ClipTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads,
                             int maxPositions, String activation, double layerNormEps, int projectionDim,
                             int eosTokenId, boolean withProjection) {

    public static ClipTextConfig read(Path configJson) {
        ConfigJson c = ConfigJson.read(configJson);
        boolean projection = false;
        if (c.has("architectures")) {
            for (String a : c.strings("architectures")) projection |= a.equals("CLIPTextModelWithProjection");
        }
        return new ClipTextConfig(c.integer("vocab_size", 49408), c.integer("hidden_size"),
                c.integer("intermediate_size"), c.integer("num_hidden_layers"), c.integer("num_attention_heads"),
                c.integer("max_position_embeddings", 77), c.string("hidden_act", "quick_gelu"),
                c.number("layer_norm_eps", 1e-5), c.integer("projection_dim", c.integer("hidden_size")),
                c.integer("eos_token_id", 2), projection);
    }
}
