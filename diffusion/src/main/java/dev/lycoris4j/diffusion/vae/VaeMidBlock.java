package dev.lycoris4j.diffusion.vae;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.ResnetBlock2D;
import org.bytedeco.pytorch.Tensor;

/** UNetMidBlock2D of the VAE: resnet, attention, resnet (no time embedding, eps 1e-6). */
final class VaeMidBlock extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<VaeAttention> attentions;

    VaeMidBlock(long ch, int groups, Placement p) {
        attentions = register("attentions", new ModuleList<>());
        attentions.add(new VaeAttention(ch, groups, p));
        resnets = register("resnets", new ModuleList<>());
        resnets.add(new ResnetBlock2D(ch, ch, 0, groups, 1e-6, p));
        resnets.add(new ResnetBlock2D(ch, ch, 0, groups, 1e-6, p));
    }

    @Override public String typeName() { return "UNetMidBlock2D"; }

    Tensor forward(Tensor h) {
        h = resnets.get(0).forward(h, null);
        h = attentions.get(0).forward(h);
        return resnets.get(1).forward(h, null);
    }
}
