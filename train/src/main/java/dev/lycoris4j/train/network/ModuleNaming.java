package dev.lycoris4j.train.network;

import dev.lycoris4j.core.naming.UnetNaming;
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
        UnetNaming naming = c.naming();
        return p -> naming.toLdm(p).orElseThrow(() -> new IllegalArgumentException("no SGM name for UNet layer " + p));
    }
}
