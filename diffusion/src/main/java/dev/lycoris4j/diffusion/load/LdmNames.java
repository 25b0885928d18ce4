package dev.lycoris4j.diffusion.load;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Diffusers module paths → original LDM/SGM single-file names (spec sd-architecture §b). Going this
 * way is a function; the reverse is not (underscores, block numbering), so loaders enumerate the
 * model's own names and look each one up in the file.
 */
public final class LdmNames {
    private LdmNames() {}

    private static final Pattern DOWN = Pattern.compile("down_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern DOWNSAMPLE = Pattern.compile("down_blocks\\.(\\d+)\\.downsamplers\\.0\\.conv\\.(.+)");
    private static final Pattern UP = Pattern.compile("up_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern UPSAMPLE = Pattern.compile("up_blocks\\.(\\d+)\\.upsamplers\\.0\\.conv\\.(.+)");
    private static final Pattern MID = Pattern.compile("mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)");

    /**
     * A UNet key without the {@code model.diffusion_model.} prefix.
     *
     * @param layersPerBlock      resnets per down block (the up blocks have one more)
     * @param upBlockHasAttention per up block, whether it has transformers (moves the upsampler's slot)
     */
    public static String unet(String key, int layersPerBlock, boolean[] upBlockHasAttention) {
        int slots = layersPerBlock + 1;
        if (key.startsWith("conv_in.")) return "input_blocks.0.0." + key.substring(8);
        if (key.startsWith("conv_norm_out.")) return "out.0." + key.substring(14);
        if (key.startsWith("conv_out.")) return "out.2." + key.substring(9);
        if (key.startsWith("time_embedding.linear_1.")) return "time_embed.0." + key.substring(24);
        if (key.startsWith("time_embedding.linear_2.")) return "time_embed.2." + key.substring(24);
        if (key.startsWith("add_embedding.linear_1.")) return "label_emb.0.0." + key.substring(23);
        if (key.startsWith("add_embedding.linear_2.")) return "label_emb.0.2." + key.substring(23);
        Matcher m;
        if ((m = DOWN.matcher(key)).matches()) {
            int i = Integer.parseInt(m.group(1)), j = Integer.parseInt(m.group(3));
            return "input_blocks." + (slots * i + j + 1) + part(m.group(2), m.group(4));
        }
        if ((m = DOWNSAMPLE.matcher(key)).matches()) {
            return "input_blocks." + (slots * (Integer.parseInt(m.group(1)) + 1)) + ".0.op." + m.group(2);
        }
        if ((m = MID.matcher(key)).matches()) {
            int j = Integer.parseInt(m.group(2));
            boolean resnet = m.group(1).equals("resnets");
            return "middle_block." + (resnet ? 2 * j : 1) + "." + (resnet ? resnetPart(m.group(3)) : m.group(3));
        }
        if ((m = UP.matcher(key)).matches()) {
            int i = Integer.parseInt(m.group(1)), j = Integer.parseInt(m.group(3));
            return "output_blocks." + (slots * i + j) + part(m.group(2), m.group(4));
        }
        if ((m = UPSAMPLE.matcher(key)).matches()) {
            int i = Integer.parseInt(m.group(1));
            return "output_blocks." + (slots * i + layersPerBlock) + (upBlockHasAttention[i] ? ".2" : ".1")
                    + ".conv." + m.group(2);
        }
        throw new IllegalArgumentException("no LDM name for UNet key " + key);
    }

    private static String part(String kind, String rest) {
        return kind.equals("resnets") ? ".0." + resnetPart(rest) : ".1." + rest;
    }

    private static String resnetPart(String rest) {
        int dot = rest.indexOf('.');
        String layer = rest.substring(0, dot);
        String renamed = switch (layer) {
            case "norm1" -> "in_layers.0";
            case "conv1" -> "in_layers.2";
            case "time_emb_proj" -> "emb_layers.1";
            case "norm2" -> "out_layers.0";
            case "conv2" -> "out_layers.3";
            case "conv_shortcut" -> "skip_connection";
            default -> throw new IllegalArgumentException("unknown resnet layer " + layer);
        };
        return renamed + rest.substring(dot);
    }

    private static final Pattern VAE_DOWN = Pattern.compile("encoder\\.down_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_DOWNSAMPLE = Pattern.compile("encoder\\.down_blocks\\.(\\d+)\\.downsamplers\\.0\\.(.+)");
    private static final Pattern VAE_UP = Pattern.compile("decoder\\.up_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_UPSAMPLE = Pattern.compile("decoder\\.up_blocks\\.(\\d+)\\.upsamplers\\.0\\.(.+)");
    private static final Pattern VAE_MID = Pattern.compile("(encoder|decoder)\\.mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)");

    /**
     * A VAE key without the {@code first_stage_model.} prefix. The decoder's up blocks are numbered
     * in reverse in LDM files. Mid-attention Linear weights are 1×1 convs there (the loader reshapes).
     */
    public static String vae(String key, int levels) {
        Matcher m;
        if ((m = VAE_DOWN.matcher(key)).matches()) {
            return "encoder.down." + m.group(1) + ".block." + m.group(2) + "." + vaeResnet(m.group(3));
        }
        if ((m = VAE_DOWNSAMPLE.matcher(key)).matches()) return "encoder.down." + m.group(1) + ".downsample." + m.group(2);
        if ((m = VAE_UP.matcher(key)).matches()) {
            int i = levels - 1 - Integer.parseInt(m.group(1));
            return "decoder.up." + i + ".block." + m.group(2) + "." + vaeResnet(m.group(3));
        }
        if ((m = VAE_UPSAMPLE.matcher(key)).matches()) {
            return "decoder.up." + (levels - 1 - Integer.parseInt(m.group(1))) + ".upsample." + m.group(2);
        }
        if ((m = VAE_MID.matcher(key)).matches()) {
            String coder = m.group(1);
            if (m.group(2).equals("resnets")) {
                return coder + ".mid.block_" + (Integer.parseInt(m.group(3)) + 1) + "." + vaeResnet(m.group(4));
            }
            String rest = m.group(4);
            int dot = rest.indexOf('.');
            String layer = rest.startsWith("to_out.0.") ? "proj_out" : switch (rest.substring(0, dot)) {
                case "group_norm" -> "norm";
                case "to_q" -> "q";
                case "to_k" -> "k";
                case "to_v" -> "v";
                default -> throw new IllegalArgumentException("unknown VAE attention layer in " + key);
            };
            return coder + ".mid.attn_1." + layer + rest.substring(rest.lastIndexOf('.'));
        }
        if (key.matches("(encoder|decoder)\\.conv_norm_out\\..+")) return key.replace("conv_norm_out", "norm_out");
        return key;
    }

    private static String vaeResnet(String rest) {
        return rest.startsWith("conv_shortcut.") ? "nin_shortcut." + rest.substring(14) : rest;
    }

    /** Whether a VAE key maps to a mid-attention projection stored as a 1×1 conv in LDM files. */
    public static boolean isVaeAttentionProjection(String key) {
        return key.contains(".mid_block.attentions.0.to_") && key.endsWith(".weight");
    }
}
