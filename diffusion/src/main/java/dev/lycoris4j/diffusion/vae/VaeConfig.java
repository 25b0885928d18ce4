package dev.lycoris4j.diffusion.vae;

import dev.lycoris4j.diffusion.ConfigJson;

import java.nio.file.Path;

/** The fields of diffusers' AutoencoderKL config; {@code scalingFactor} maps latents to the UNet's scale. */
public record VaeConfig(int inChannels, int outChannels, int latentChannels, int[] blockOutChannels,
                        int layersPerBlock, int normGroups, double scalingFactor, boolean forceUpcast) {

    public static VaeConfig read(Path configJson) {
        ConfigJson c = ConfigJson.read(configJson);
        for (String t : c.strings("down_block_types")) {
            if (!t.equals("DownEncoderBlock2D")) throw new IllegalArgumentException(configJson + ": unsupported block " + t);
        }
        return new VaeConfig(c.integer("in_channels", 3), c.integer("out_channels", 3), c.integer("latent_channels", 4),
                c.integers("block_out_channels", -1), c.integer("layers_per_block", 2), c.integer("norm_num_groups", 32),
                c.number("scaling_factor", 0.18215), c.bool("force_upcast", true));
    }
}
