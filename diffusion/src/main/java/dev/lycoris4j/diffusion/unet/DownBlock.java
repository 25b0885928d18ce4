package dev.lycoris4j.diffusion.unet;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.Downsample2D;
import dev.lycoris4j.diffusion.blocks.ResnetBlock2D;
import dev.lycoris4j.diffusion.blocks.Transformer2DModel;
import org.bytedeco.pytorch.Tensor;

import java.util.List;

/** CrossAttnDownBlock2D (with attentions) or DownBlock2D: resnets, optional transformers, optional downsampler. */
final class DownBlock extends Module {
    private final String type;
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Transformer2DModel> attentions;
    private final Downsample2D downsampler;

    DownBlock(String type, UNetConfig c, int index, long in, long out, Placement p) {
        this.type = type;
        // diffusers registers attentions before resnets: that is the state-dict order files are written in.
        boolean cross = UNetConfig.hasCrossAttention(type);
        attentions = cross ? register("attentions", new ModuleList<>()) : null;
        resnets = register("resnets", new ModuleList<>());
        for (int j = 0; j < c.layersPerBlock(); j++) {
            resnets.add(new ResnetBlock2D(j == 0 ? in : out, out, c.timeEmbedDim(), c.normGroups(), c.normEps(), p));
            if (cross) {
                attentions.add(new Transformer2DModel(out, c.attentionHeads()[index], c.transformerLayersPerBlock()[index],
                        c.crossAttentionDim(), c.normGroups(), c.linearProjection(), c.upcastAttention(), p));
            }
        }
        boolean last = index == c.blockOutChannels().length - 1;
        if (!last) {
            ModuleList<Downsample2D> ds = register("downsamplers", new ModuleList<>());
            downsampler = ds.add(new Downsample2D(out, 1, p));
        } else {
            downsampler = null;
        }
    }

    @Override public String typeName() { return type; }

    /** Runs the block, appending every output the up path consumes as a skip connection. */
    Tensor forward(Tensor h, Tensor temb, Tensor context, List<Tensor> skips) {
        for (int j = 0; j < resnets.size(); j++) {
            h = resnets.get(j).forward(h, temb);
            if (attentions != null) h = attentions.get(j).forward(h, context);
            skips.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(h);
            skips.add(h);
        }
        return h;
    }
}
