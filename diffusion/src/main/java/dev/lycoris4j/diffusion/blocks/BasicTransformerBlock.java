package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.LayerNorm;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;

/** x += attn1(norm1 x); x += attn2(norm2 x, context); x += ff(norm3 x). */
public final class BasicTransformerBlock extends Module {
    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;

    public BasicTransformerBlock(long dim, int heads, int headDim, long crossAttentionDim, boolean upcast, Placement p) {
        norm1 = register("norm1", new LayerNorm(new long[] {dim}, 1e-5, true, p));
        attn1 = register("attn1", new Attention(dim, dim, heads, headDim, false, upcast, p));
        norm2 = register("norm2", new LayerNorm(new long[] {dim}, 1e-5, true, p));
        attn2 = register("attn2", new Attention(dim, crossAttentionDim, heads, headDim, false, upcast, p));
        norm3 = register("norm3", new LayerNorm(new long[] {dim}, 1e-5, true, p));
        ff = register("ff", new FeedForward(dim, p));
    }

    public Tensor forward(Tensor x, Tensor context) {
        x = attn1.forward(norm1.forward(x), null).add(x);
        x = attn2.forward(norm2.forward(x), context).add(x);
        return ff.forward(norm3.forward(x)).add(x);
    }
}
