package dev.lycoris4j.diffusion.unet;

import dev.lycoris4j.core.naming.UnetNaming;
import dev.lycoris4j.diffusion.ConfigJson;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The fields of diffusers' {@code UNet2DConditionModel} config that SD1.x, SD2.x and SDXL use.
 * {@code attentionHeads} holds the head count per block: diffusers' legacy {@code attention_head_dim}
 * is the number of heads when {@code num_attention_heads} is absent.
 */
public record UNetConfig(
        int inChannels,
        int outChannels,
        int[] blockOutChannels,
        String[] downBlockTypes,
        String[] upBlockTypes,
        int layersPerBlock,
        int[] transformerLayersPerBlock,
        int[] attentionHeads,
        int crossAttentionDim,
        int normGroups,
        double normEps,
        boolean linearProjection,
        boolean upcastAttention,
        boolean flipSinToCos,
        double freqShift,
        String additionEmbedType,
        int additionTimeEmbedDim,
        int projectionClassEmbeddingsInputDim,
        String predictionType,
        int sampleSize) {

    public static UNetConfig read(Path configJson) {
        ConfigJson c = ConfigJson.read(configJson);
        int[] blocks = c.integers("block_out_channels", -1);
        int n = blocks.length;
        String[] down = c.strings("down_block_types");
        String[] up = c.strings("up_block_types");
        if (down.length != n || up.length != n) {
            throw new IllegalArgumentException(configJson + ": down_block_types/up_block_types must have "
                    + n + " entries like block_out_channels");
        }
        String headsField = c.has("num_attention_heads") ? "num_attention_heads" : "attention_head_dim";
        String extra = c.string("addition_embed_type", null);
        if (extra != null && !extra.equals("text_time")) {
            throw new IllegalArgumentException(configJson + ": addition_embed_type '" + extra + "' is not supported");
        }
        if (c.has("class_embed_type")) {
            throw new IllegalArgumentException(configJson + ": class_embed_type is not supported");
        }
        return new UNetConfig(
                c.integer("in_channels", 4), c.integer("out_channels", 4), blocks, down, up,
                c.integer("layers_per_block", 2),
                c.has("transformer_layers_per_block") ? c.integers("transformer_layers_per_block", n) : filled(n, 1),
                c.integers(headsField, n),
                c.integer("cross_attention_dim"),
                c.integer("norm_num_groups", 32), c.number("norm_eps", 1e-5),
                c.bool("use_linear_projection", false), c.bool("upcast_attention", false),
                c.bool("flip_sin_to_cos", true), c.number("freq_shift", 0),
                extra, c.integer("addition_time_embed_dim", 0), c.integer("projection_class_embeddings_input_dim", 0),
                c.string("prediction_type", "epsilon"), c.integer("sample_size", 64));
    }

    static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    /** This UNet's diffusers ↔ LDM path mapping (up blocks have one resnet more than down blocks). */
    public UnetNaming naming() {
        Set<Integer> upWithAttention = new HashSet<>();
        for (int i = 0; i < upBlockTypes.length; i++) if (hasCrossAttention(upBlockTypes[i])) upWithAttention.add(i);
        return new UnetNaming(layersPerBlock, layersPerBlock + 1, upWithAttention);
    }

    public int timeEmbedDim() {
        return blockOutChannels[0] * 4;
    }

    public boolean hasTextTimeEmbedding() {
        return "text_time".equals(additionEmbedType);
    }

    static boolean hasCrossAttention(String blockType) {
        return switch (blockType) {
            case "CrossAttnDownBlock2D", "CrossAttnUpBlock2D" -> true;
            case "DownBlock2D", "UpBlock2D" -> false;
            default -> throw new IllegalArgumentException("unsupported UNet block type '" + blockType + "'");
        };
    }
}
