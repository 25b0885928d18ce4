package dev.lycoris4j.diffusion.vae;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.Downsample2D;
import dev.lycoris4j.diffusion.blocks.ResnetBlock2D;
import dev.lycoris4j.diffusion.blocks.Upsample2D;
import org.bytedeco.pytorch.Tensor;

/** DownEncoderBlock2D or UpDecoderBlock2D: resnets then an optional down/upsampler. */
final class VaeBlock extends Module {
    private final boolean up;
    private final ModuleList<ResnetBlock2D> resnets;
    private final Downsample2D downsampler;
    private final Upsample2D upsampler;

    VaeBlock(boolean up, long in, long out, int layers, boolean resample, int groups, Placement p) {
        this.up = up;
        resnets = register("resnets", new ModuleList<>());
        for (int j = 0; j < layers; j++) resnets.add(new ResnetBlock2D(j == 0 ? in : out, out, 0, groups, 1e-6, p));
        Downsample2D ds = null;
        Upsample2D us = null;
        if (resample && up) us = register("upsamplers", new ModuleList<Upsample2D>()).add(new Upsample2D(out, p));
        if (resample && !up) ds = register("downsamplers", new ModuleList<Downsample2D>()).add(new Downsample2D(out, 0, p));
        downsampler = ds;
        upsampler = us;
    }

    @Override public String typeName() { return up ? "UpDecoderBlock2D" : "DownEncoderBlock2D"; }

    Tensor forward(Tensor h) {
        for (ResnetBlock2D r : resnets) h = r.forward(h, null);
        if (downsampler != null) h = downsampler.forward(h);
        if (upsampler != null) h = upsampler.forward(h, null);
        return h;
    }
}
