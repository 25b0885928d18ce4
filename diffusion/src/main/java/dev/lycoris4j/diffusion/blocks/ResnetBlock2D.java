package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.Checkpoint;
import dev.lycoris4j.core.nn.Checkpointable;
import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.GroupNorm;
import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;

/**
 * diffusers' ResnetBlock2D (time_scale_shift "default", output scale 1):
 * h = conv1(silu(norm1(x))) + time_emb_proj(silu(temb)); h = conv2(silu(norm2(h))); out = shortcut(x) + h.
 * The VAE's blocks have no time embedding ({@code tembChannels} 0). With gradient checkpointing on, one call
 * is one segment (inputs x and temb), as in diffusers' down, mid and up blocks.
 */
public final class ResnetBlock2D extends Module implements Checkpointable {
    private final GroupNorm norm1;
    private final ConvNd conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final ConvNd conv2;
    private final ConvNd convShortcut;
    private boolean checkpointing;

    public ResnetBlock2D(long in, long out, long tembChannels, int groups, double eps, Placement p) {
        norm1 = register("norm1", new GroupNorm(groups, in, eps, true, p));
        conv1 = register("conv1", new ConvNd(2, in, out, 3, 1, 1, true, p));
        timeEmbProj = tembChannels > 0 ? register("time_emb_proj", new Linear(tembChannels, out, true, p)) : null;
        norm2 = register("norm2", new GroupNorm(groups, out, eps, true, p));
        conv2 = register("conv2", new ConvNd(2, out, out, 3, 1, 1, true, p));
        convShortcut = in != out ? register("conv_shortcut", new ConvNd(2, in, out, 1, 1, 0, true, p)) : null;
    }

    @Override
    public void setGradientCheckpointing(boolean on) {
        checkpointing = on;
    }

    public Tensor forward(Tensor x, Tensor temb) {
        return checkpointing ? Checkpoint.run(this, in -> compute(in.get(0), in.get(1)), x, temb) : compute(x, temb);
    }

    private Tensor compute(Tensor x, Tensor temb) {
        Tensor h = conv1.forward(Activations.silu(norm1.forward(x)));
        if (timeEmbProj != null && temb != null) {
            h = h.add(timeEmbProj.forward(Activations.silu(temb)).unsqueeze(-1).unsqueeze(-1));
        }
        h = conv2.forward(Activations.silu(norm2.forward(h)));
        Tensor skip = convShortcut == null ? x : convShortcut.forward(x);
        return skip.add(h);
    }
}
