package dev.lycoris4j.diffusion.vae;

import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.GroupNorm;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.Activations;
import org.bytedeco.pytorch.Tensor;

/**
 * The VAE's Encoder or Decoder: conv_in, blocks (encoder: down then mid; decoder: mid then up), norm,
 * SiLU, conv_out. The encoder outputs mean ⊕ logvar (2 × latent channels).
 */
final class VaeCoder extends Module {
    private final boolean decoder;
    private final ConvNd convIn;
    private final ModuleList<VaeBlock> blocks;
    private final VaeMidBlock midBlock;
    private final GroupNorm convNormOut;
    private final ConvNd convOut;

    VaeCoder(boolean decoder, VaeConfig c, Placement p) {
        this.decoder = decoder;
        int[] ch = c.blockOutChannels();
        int n = ch.length;
        int groups = c.normGroups();
        if (!decoder) {
            convIn = register("conv_in", new ConvNd(2, c.inChannels(), ch[0], 3, 1, 1, true, p));
            blocks = register("down_blocks", new ModuleList<>());
            long out = ch[0];
            for (int i = 0; i < n; i++) {
                long in = out;
                out = ch[i];
                blocks.add(new VaeBlock(false, in, out, c.layersPerBlock(), i < n - 1, groups, p));
            }
            midBlock = register("mid_block", new VaeMidBlock(ch[n - 1], groups, p));
            convNormOut = register("conv_norm_out", new GroupNorm(groups, ch[n - 1], 1e-6, true, p));
            convOut = register("conv_out", new ConvNd(2, ch[n - 1], 2L * c.latentChannels(), 3, 1, 1, true, p));
        } else {
            convIn = register("conv_in", new ConvNd(2, c.latentChannels(), ch[n - 1], 3, 1, 1, true, p));
            blocks = register("up_blocks", new ModuleList<>());
            long out = ch[n - 1];
            for (int i = 0; i < n; i++) {
                long in = out;
                out = ch[n - 1 - i];
                blocks.add(new VaeBlock(true, in, out, c.layersPerBlock() + 1, i < n - 1, groups, p));
            }
            midBlock = register("mid_block", new VaeMidBlock(ch[n - 1], groups, p));
            convNormOut = register("conv_norm_out", new GroupNorm(groups, ch[0], 1e-6, true, p));
            convOut = register("conv_out", new ConvNd(2, ch[0], c.outChannels(), 3, 1, 1, true, p));
        }
    }

    @Override public String typeName() { return decoder ? "Decoder" : "Encoder"; }

    Tensor forward(Tensor x) {
        Tensor h = convIn.forward(x);
        if (decoder) h = midBlock.forward(h);
        for (VaeBlock b : blocks) h = b.forward(h);
        if (!decoder) h = midBlock.forward(h);
        return convOut.forward(Activations.silu(convNormOut.forward(h)));
    }
}
