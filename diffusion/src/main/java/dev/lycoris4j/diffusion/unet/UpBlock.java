package dev.lycoris4j.diffusion.unet;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.ResnetBlock2D;
import dev.lycoris4j.diffusion.blocks.Transformer2DModel;
import dev.lycoris4j.diffusion.blocks.Upsample2D;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * CrossAttnUpBlock2D or UpBlock2D: layers_per_block + 1 resnets, each fed cat([h, skip]) with the
 * skips taken from the down path in reverse, optional transformers, optional upsampler.
 */
final class UpBlock extends Module {
    private final String type;
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Transformer2DModel> attentions;
    private final Upsample2D upsampler;

    /**
     * @param prevOut the channels coming from the block below
     * @param in      the channels of the down block this one mirrors (the last skip's width)
     * @param index   position in up order; heads and depths are the down values reversed
     */
    UpBlock(String type, UNetConfig c, int index, long prevOut, long in, long out, Placement p) {
        this.type = type;
        int n = c.blockOutChannels().length;
        int mirror = n - 1 - index;
        // diffusers registers attentions before resnets: that is the state-dict order files are written in.
        boolean cross = UNetConfig.hasCrossAttention(type);
        attentions = cross ? register("attentions", new ModuleList<>()) : null;
        resnets = register("resnets", new ModuleList<>());
        int layers = c.layersPerBlock() + 1;
        for (int j = 0; j < layers; j++) {
            long skip = j == layers - 1 ? in : out;
            long resIn = j == 0 ? prevOut : out;
            resnets.add(new ResnetBlock2D(resIn + skip, out, c.timeEmbedDim(), c.normGroups(), c.normEps(), p));
            if (cross) {
                attentions.add(new Transformer2DModel(out, c.attentionHeads()[mirror], c.transformerLayersPerBlock()[mirror],
                        c.crossAttentionDim(), c.normGroups(), c.linearProjection(), c.upcastAttention(), p));
            }
        }
        boolean last = index == n - 1;
        if (!last) {
            ModuleList<Upsample2D> us = register("upsamplers", new ModuleList<>());
            upsampler = us.add(new Upsample2D(out, p));
        } else {
            upsampler = null;
        }
    }

    @Override public String typeName() { return type; }

    int resnetCount() {
        return resnets.size();
    }

    /** Consumes skips from the end of {@code skips}; {@code upsampleSize} is null for a plain ×2. */
    Tensor forward(Tensor h, Tensor temb, Tensor context, List<Tensor> skips, long[] upsampleSize) {
        for (int j = 0; j < resnets.size(); j++) {
            Tensor skip = skips.removeLast();
            h = resnets.get(j).forward(torch.cat(new TensorVector(h, skip), 1), temb);
            if (attentions != null) h = attentions.get(j).forward(h, context);
        }
        return upsampler == null ? h : upsampler.forward(h, upsampleSize);
    }
}
