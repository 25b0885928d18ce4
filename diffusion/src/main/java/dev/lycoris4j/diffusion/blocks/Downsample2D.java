package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A 3×3 stride-2 conv. The UNet pads by 1 inside the conv; the VAE uses padding 0 and pads
 * right and bottom by one first (diffusers' asymmetric padding), which changes the numbers.
 */
public final class Downsample2D extends Module {
    private final ConvNd conv;
    private final boolean asymmetricPad;

    public Downsample2D(long channels, int padding, Placement p) {
        conv = register("conv", new ConvNd(2, channels, channels, 3, 2, padding, true, p));
        asymmetricPad = padding == 0;
    }

    public Tensor forward(Tensor x) {
        return conv.forward(asymmetricPad ? torch.constant_pad_nd(x, 0, 1, 0, 1) : x);
    }
}
