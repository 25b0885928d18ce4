package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;

/**
 * Multi-head self-attention with transformers' CLIP names ({@code q_proj}, {@code k_proj}, {@code v_proj},
 * {@code out_proj}): CLIP's text and vision towers, and every ViT loaded into that naming (DINO, DINOv2).
 */
public final class SelfAttention extends Module {
    private final String typeName;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final int heads;
    private final int headDim;

    /** {@code typeName}: the reference class name that presets target (CLIP's is "CLIPAttention"). */
    public SelfAttention(String typeName, long width, int heads, boolean qkvBias, Placement p) {
        this.typeName = typeName;
        this.heads = heads;
        this.headDim = Math.toIntExact(width / heads);
        // transformers registers k, v, q, out: the state-dict order of CLIP checkpoints.
        k = register("k_proj", new Linear(width, width, qkvBias, p));
        v = register("v_proj", new Linear(width, width, qkvBias, p));
        q = register("q_proj", new Linear(width, width, qkvBias, p));
        out = register("out_proj", new Linear(width, width, true, p));
    }

    @Override public String typeName() { return typeName; }

    /** {@code mask}: an additive (tokens × tokens) mask such as CLIP text's causal one, or null. */
    public Tensor forward(Tensor x, Tensor mask) {
        long b = x.size(0), n = x.size(1);
        Tensor o = Attention.attend(split(q.forward(x), b, n), split(k.forward(x), b, n), split(v.forward(x), b, n),
                mask, headDim, false);
        return out.forward(o.transpose(1, 2).reshape(b, n, (long) heads * headDim));
    }

    private Tensor split(Tensor t, long b, long n) {
        return t.view(b, n, heads, headDim).transpose(1, 2);
    }
}
