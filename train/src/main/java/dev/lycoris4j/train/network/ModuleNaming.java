package dev.lycoris4j.train.network;

import dev.lycoris4j.diffusion.load.LdmNames;
import dev.lycoris4j.diffusion.unet.UNetConfig;

/**
 * The module path a file uses for one of our modules. Our models mirror diffusers' paths; kohya trains
 * SDXL on its own UNet with SGM/LDM paths ({@code input_blocks.4.1...}), so SDXL files say those, and
 * name rules in presets (kohya's {@code conv_in}, or {@code input_blocks.0.0}) are matched against them.
 */
@FunctionalInterface
public interface ModuleNaming {
    /** The path of a weight-bearing layer at {@code modulePath} in our tree, as files name it. */
    String path(String modulePath);

    /** Diffusers / HF paths: the text encoders, SD1.x and SD2.x (kohya's UNet there copies diffusers' layout). */
    ModuleNaming DIFFUSERS = p -> p;

    /** SGM paths of a diffusers-structured UNet with config {@code c} (kohya's SDXL UNet). */
    static ModuleNaming sgm(UNetConfig c) {
        String[] up = c.upBlockTypes();
        boolean[] upHasAttention = new boolean[up.length];
        for (int i = 0; i < up.length; i++) upHasAttention[i] = up[i].startsWith("CrossAttn");
        int layers = c.layersPerBlock();
        // LdmNames maps state-dict keys; a layer's weight key names the layer itself.
        return p -> {
            String key = LdmNames.unet(p + ".weight", layers, upHasAttention);
            return key.substring(0, key.length() - ".weight".length());
        };
    }
}
