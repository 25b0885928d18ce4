package dev.lycoris4j.diffusion.vae;

import dev.lycoris4j.core.nn.GroupNorm;
import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.blocks.Attention;
import org.bytedeco.pytorch.Tensor;

/** The VAE mid-block's single-head spatial self-attention with its own group norm and a residual. */
final class VaeAttention extends Module {
    private final GroupNorm groupNorm;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int channels;

    VaeAttention(long channels, int groups, Placement p) {
        this.channels = Math.toIntExact(channels);
        groupNorm = register("group_norm", new GroupNorm(groups, channels, 1e-6, true, p));
        toQ = register("to_q", new Linear(channels, channels, true, p));
        toK = register("to_k", new Linear(channels, channels, true, p));
        toV = register("to_v", new Linear(channels, channels, true, p));
        ModuleList<Linear> out = register("to_out", new ModuleList<>());
        toOut = out.add(new Linear(channels, channels, true, p));
    }

    @Override public String typeName() { return "Attention"; }

    Tensor forward(Tensor x) {
        long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        Tensor t = groupNorm.forward(x).view(b, c, h * w).transpose(1, 2);
        Tensor q = toQ.forward(t).unsqueeze(1);
        Tensor k = toK.forward(t).unsqueeze(1);
        Tensor v = toV.forward(t).unsqueeze(1);
        Tensor o = Attention.attend(q, k, v, null, channels, false).squeeze(1);
        o = toOut.forward(o);
        return o.transpose(1, 2).reshape(b, c, h, w).add(x);
    }
}
