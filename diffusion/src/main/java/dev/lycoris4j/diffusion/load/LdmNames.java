package dev.lycoris4j.diffusion.load;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Diffusers VAE keys → original LDM single-file names (spec sd-architecture §b); the UNet's are
 * {@link dev.lycoris4j.core.naming.UnetNaming}. Loaders enumerate the model's own names and look each one
 * up in the file.
 */
public final class LdmNames {
    private LdmNames() {}

    private static final Pattern VAE_DOWN = Pattern.compile("encoder\\.down_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_DOWNSAMPLE = Pattern.compile("encoder\\.down_blocks\\.(\\d+)\\.downsamplers\\.0\\.(.+)");
    private static final Pattern VAE_UP = Pattern.compile("decoder\\.up_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_UPSAMPLE = Pattern.compile("decoder\\.up_blocks\\.(\\d+)\\.upsamplers\\.0\\.(.+)");
    private static final Pattern VAE_MID = Pattern.compile("(encoder|decoder)\\.mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)");

    /**
     * A VAE key without the {@code first_stage_model.} prefix. The decoder's up blocks are numbered
     * in reverse in LDM files. Mid-attention Linear weights are 1×1 convs there.
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
}
