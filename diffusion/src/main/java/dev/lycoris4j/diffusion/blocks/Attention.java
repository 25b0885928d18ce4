package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code Attention} as SD uses it: to_q/to_k/to_v (no bias in the UNet, bias in the VAE)
 * and {@code to_out.0}, multi-head scaled dot-product attention through libtorch's fused kernel.
 */
public final class Attention extends Module {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final int headDim;
    private final boolean upcast;

    /**
     * @param contextDim the key/value input width (the cross-attention dim, or queryDim for self-attention)
     * @param upcast     compute attention in fp32 whatever the model dtype (SD 2.1-v's upcast_attention)
     */
    public Attention(long queryDim, long contextDim, int heads, int headDim, boolean qkvBias, boolean upcast,
                     Placement p) {
        long inner = (long) heads * headDim;
        this.heads = heads;
        this.headDim = headDim;
        this.upcast = upcast;
        toQ = register("to_q", new Linear(queryDim, inner, qkvBias, p));
        toK = register("to_k", new Linear(contextDim, inner, qkvBias, p));
        toV = register("to_v", new Linear(contextDim, inner, qkvBias, p));
        ModuleList<Linear> out = register("to_out", new ModuleList<>());
        toOut = out.add(new Linear(inner, queryDim, true, p));
    }

    /** {@code x}: (batch, tokens, queryDim); {@code context}: (batch, keys, contextDim), or null for self-attention. */
    public Tensor forward(Tensor x, Tensor context) {
        Tensor ctx = context == null ? x : context;
        Tensor q = splitHeads(toQ.forward(x));
        Tensor k = splitHeads(toK.forward(ctx));
        Tensor v = splitHeads(toV.forward(ctx));
        Tensor o = attend(q, k, v, null, headDim, upcast);
        long b = o.size(0);
        Tensor merged = o.transpose(1, 2).reshape(b, -1, (long) heads * headDim);
        return toOut.forward(merged);
    }

    private Tensor splitHeads(Tensor t) {
        return t.view(t.size(0), -1, heads, headDim).transpose(1, 2);
    }

    /** softmax(q·kᵀ/√d + mask)·v over (batch, heads, tokens, headDim) tensors. */
    public static Tensor attend(Tensor q, Tensor k, Tensor v, Tensor mask, int headDim, boolean upcast) {
        DoubleOptional scale = new DoubleOptional(1.0 / Math.sqrt(headDim));
        TensorOptional m = mask == null ? new TensorOptional() : new TensorOptional(mask);
        if (upcast && q.scalar_type() != DType.F32.scalarType()) {
            var original = q.scalar_type();
            Tensor o = torch.scaled_dot_product_attention(q.to(DType.F32.scalarType()), k.to(DType.F32.scalarType()),
                    v.to(DType.F32.scalarType()), m, 0.0, false, scale, false);
            return o.to(original);
        }
        return torch.scaled_dot_product_attention(q, k, v, m, 0.0, false, scale, false);
    }
}
