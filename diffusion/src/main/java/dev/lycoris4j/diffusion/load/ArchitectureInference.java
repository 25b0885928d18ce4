package dev.lycoris4j.diffusion.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.diffusion.text.ClipTextConfig;
import dev.lycoris4j.diffusion.unet.UNetConfig;
import dev.lycoris4j.diffusion.vae.VaeConfig;

import java.util.Arrays;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model configs of a single-file checkpoint read from its tensors' shapes, refined by the original
 * LDM YAML when one is given. What shapes cannot say comes from SD conventions: SD1 uses 8 heads per
 * level, SD2/SDXL 64-channel heads, CLIP 64-channel heads; the YAML's {@code num_heads},
 * {@code num_head_channels}, {@code scale_factor} and {@code parameterization} override them.
 */
final class ArchitectureInference {
    private ArchitectureInference() {}

    private static final String U = SingleFileLayout.UNET;
    private static final String V = SingleFileLayout.VAE;

    static UNetConfig unet(SafetensorsFile f, SingleFileLayout layout, JsonNode yamlUnet, JsonNode yamlModel, int pooledDim) {
        int mc = (int) dim(f, U + "input_blocks.0.0.weight", 0);
        int inChannels = (int) dim(f, U + "input_blocks.0.0.weight", 1);
        int inputBlocks = maxIndex(f, Pattern.compile(Pattern.quote(U) + "input_blocks\\.(\\d+)\\.")) + 1;
        int layers = inputBlocks - 1;
        for (int k = 1; k < inputBlocks; k++) {
            if (f.contains(U + "input_blocks." + k + ".0.op.weight")) {
                layers = k - 1;
                break;
            }
        }
        int levels = inputBlocks / (layers + 1);
        int[] channels = new int[levels];
        int[] depth = new int[levels];
        String[] down = new String[levels];
        long crossDim = -1;
        boolean linear = false;
        for (int i = 0; i < levels; i++) {
            int b = (layers + 1) * i + 1;
            channels[i] = (int) dim(f, U + "input_blocks." + b + ".0.out_layers.3.weight", 0);
            String attn = U + "input_blocks." + b + ".1.";
            boolean hasAttention = f.contains(attn + "proj_in.weight");
            down[i] = hasAttention ? "CrossAttnDownBlock2D" : "DownBlock2D";
            depth[i] = hasAttention ? maxIndex(f, Pattern.compile(Pattern.quote(attn) + "transformer_blocks\\.(\\d+)\\.")) + 1 : 1;
            if (hasAttention) {
                crossDim = dim(f, attn + "transformer_blocks.0.attn2.to_k.weight", 1);
                linear = shape(f, attn + "proj_in.weight").length == 2;
            }
        }
        if (crossDim < 0) throw new IllegalArgumentException(f.path() + ": no cross-attention found in the UNet");
        String[] up = down.clone();
        Collections.reverse(Arrays.asList(up));
        for (int i = 0; i < levels; i++) up[i] = up[i].replace("Down", "Up");
        int[] heads = new int[levels];
        for (int i = 0; i < levels; i++) {
            if (yamlUnet != null && yamlUnet.hasNonNull("num_head_channels") && yamlUnet.get("num_head_channels").asInt() > 0) {
                heads[i] = channels[i] / yamlUnet.get("num_head_channels").asInt();
            } else if (yamlUnet != null && yamlUnet.hasNonNull("num_heads") && yamlUnet.get("num_heads").asInt() > 0) {
                heads[i] = yamlUnet.get("num_heads").asInt();
            } else {
                heads[i] = layout == SingleFileLayout.SD1 ? 8 : Math.max(1, channels[i] / 64);
            }
        }
        boolean textTime = f.contains(U + "label_emb.0.0.weight");
        int projection = textTime ? (int) dim(f, U + "label_emb.0.0.weight", 1) : 0;
        int addTimeDim = textTime ? (projection - pooledDim) / 6 : 0;
        boolean vPrediction = yamlModel != null && "v".equals(yamlModel.path("parameterization").asText(""));
        int sample = yamlUnet != null && yamlUnet.hasNonNull("image_size") ? yamlUnet.get("image_size").asInt()
                : layout == SingleFileLayout.SDXL ? 128 : 64;
        return new UNetConfig(inChannels, (int) dim(f, U + "out.2.weight", 0), channels, down, up, layers, depth, heads,
                (int) crossDim, 32, 1e-5, linear, false, true, 0, textTime ? "text_time" : null, addTimeDim, projection,
                vPrediction ? "v_prediction" : "epsilon", sample);
    }

    static VaeConfig vae(SafetensorsFile f, SingleFileLayout layout, JsonNode yamlModel) {
        int levels = maxIndex(f, Pattern.compile(Pattern.quote(V) + "encoder\\.down\\.(\\d+)\\.")) + 1;
        int[] ch = new int[levels];
        for (int i = 0; i < levels; i++) ch[i] = (int) dim(f, V + "encoder.down." + i + ".block.0.conv2.weight", 0);
        int layers = maxIndex(f, Pattern.compile(Pattern.quote(V) + "encoder\\.down\\.0\\.block\\.(\\d+)\\.")) + 1;
        double scale = yamlModel != null && yamlModel.hasNonNull("scale_factor") ? yamlModel.get("scale_factor").asDouble()
                : layout == SingleFileLayout.SDXL ? 0.13025 : 0.18215;
        return new VaeConfig((int) dim(f, V + "encoder.conv_in.weight", 1), (int) dim(f, V + "decoder.conv_out.weight", 0),
                (int) dim(f, V + "post_quant_conv.weight", 0), ch, layers, 32, scale, true);
    }

    /** An HF-named CLIP text encoder (SD1, SDXL's first). */
    static ClipTextConfig hfText(SafetensorsFile f, String prefix) {
        String p = f.contains(prefix + "text_model.embeddings.token_embedding.weight") ? prefix + "text_model." : prefix;
        long vocab = dim(f, p + "embeddings.token_embedding.weight", 0);
        long hidden = dim(f, p + "embeddings.token_embedding.weight", 1);
        int layers = maxIndex(f, Pattern.compile(Pattern.quote(p) + "encoder\\.layers\\.(\\d+)\\.")) + 1;
        long inter = dim(f, p + "encoder.layers.0.mlp.fc1.weight", 0);
        return new ClipTextConfig((int) vocab, (int) hidden, (int) inter, layers, heads(hidden),
                (int) dim(f, p + "embeddings.position_embedding.weight", 0), "quick_gelu", 1e-5, (int) hidden, 2, false);
    }

    /**
     * An OpenCLIP-named text encoder: SDXL's second (with projection) or SD2's (whose last block is
     * dropped because SD2 conditions on the penultimate layer, as diffusers converts it).
     */
    static ClipTextConfig openClipText(SafetensorsFile f, String prefix, boolean withProjection) {
        long vocab = dim(f, prefix + "token_embedding.weight", 0);
        long hidden = dim(f, prefix + "token_embedding.weight", 1);
        int blocks = maxIndex(f, Pattern.compile(Pattern.quote(prefix) + "transformer\\.resblocks\\.(\\d+)\\.")) + 1;
        long inter = dim(f, prefix + "transformer.resblocks.0.mlp.c_fc.weight", 0);
        int proj = withProjection ? (int) dim(f, prefix + "text_projection", 1) : (int) hidden;
        return new ClipTextConfig((int) vocab, (int) hidden, (int) inter, withProjection ? blocks : blocks - 1,
                heads(hidden), (int) dim(f, prefix + "positional_embedding", 0), "gelu", 1e-5, proj, 2, withProjection);
    }

    private static int heads(long hidden) {
        return (int) Math.max(1, hidden / 64);
    }

    private static long[] shape(SafetensorsFile f, String key) {
        if (!f.contains(key)) throw new IllegalArgumentException(f.path() + ": expected tensor " + key + " is missing");
        try {
            return f.info(key).shape();
        } catch (dev.lycoris4j.core.safetensors.SafetensorsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static long dim(SafetensorsFile f, String key, int axis) {
        long[] shape = shape(f, key);
        if (axis >= shape.length) throw new IllegalArgumentException(f.path() + ": " + key + " has shape " + Arrays.toString(shape));
        return shape[axis];
    }

    private static int maxIndex(SafetensorsFile f, Pattern p) {
        int max = -1;
        for (String k : f.names()) {
            Matcher m = p.matcher(k);
            if (m.lookingAt()) max = Math.max(max, Integer.parseInt(m.group(1)));
        }
        return max;
    }
}
