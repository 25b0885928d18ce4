package dev.lycoris4j.diffusion.unet;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.ResnetBlock2D;
import dev.lycoris4j.diffusion.blocks.Transformer2DModel;
import org.bytedeco.pytorch.Tensor;

/** UNetMidBlock2DCrossAttn: resnet, transformer, resnet. */
final class MidBlock extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Transformer2DModel> attentions;

    MidBlock(UNetConfig c, Placement p) {
        int last = c.blockOutChannels().length - 1;
        long ch = c.blockOutChannels()[last];
        attentions = register("attentions", new ModuleList<>()); // diffusers' registration (state-dict) order
        resnets = register("resnets", new ModuleList<>());
        resnets.add(new ResnetBlock2D(ch, ch, c.timeEmbedDim(), c.normGroups(), c.normEps(), p));
        attentions.add(new Transformer2DModel(ch, c.attentionHeads()[last], c.transformerLayersPerBlock()[last],
                c.crossAttentionDim(), c.normGroups(), c.linearProjection(), c.upcastAttention(), p));
        resnets.add(new ResnetBlock2D(ch, ch, c.timeEmbedDim(), c.normGroups(), c.normEps(), p));
    }

    @Override public String typeName() { return "UNetMidBlock2DCrossAttn"; }

    Tensor forward(Tensor h, Tensor temb, Tensor context) {
        h = resnets.get(0).forward(h, temb);
        h = attentions.get(0).forward(h, context);
        return resnets.get(1).forward(h, temb);
    }
}
