package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.AdaptableLayer;
import dev.lycoris4j.core.nn.Checkpoint;
import dev.lycoris4j.core.nn.Checkpointable;
import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.GroupNorm;
import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.ModuleList;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;

/**
 * The spatial transformer: GroupNorm (eps 1e-6), proj_in, transformer blocks over the flattened
 * pixels, proj_out, plus the input. SD1 projects with 1×1 convs before flattening; SD2/SDXL
 * ({@code linearProjection}) with Linear layers after it. With gradient checkpointing on, one call is one segment
 * (inputs x and the context), as diffusers' cross-attention blocks checkpoint it.
 */
public final class Transformer2DModel extends Module implements Checkpointable {
    private final GroupNorm norm;
    private final AdaptableLayer projIn;
    private final ModuleList<BasicTransformerBlock> blocks;
    private final AdaptableLayer projOut;
    private final boolean linearProjection;
    private boolean checkpointing;

    public Transformer2DModel(long channels, int heads, int layers, long crossAttentionDim, int groups,
                              boolean linearProjection, boolean upcast, Placement p) {
        this.linearProjection = linearProjection;
        int headDim = Math.toIntExact(channels / heads);
        norm = register("norm", new GroupNorm(groups, channels, 1e-6, true, p));
        projIn = register("proj_in", projection(channels, linearProjection, p));
        blocks = register("transformer_blocks", new ModuleList<>());
        for (int i = 0; i < layers; i++) {
            blocks.add(new BasicTransformerBlock(channels, heads, headDim, crossAttentionDim, upcast, p));
        }
        projOut = register("proj_out", projection(channels, linearProjection, p));
    }

    private static AdaptableLayer projection(long c, boolean linear, Placement p) {
        return linear ? new Linear(c, c, true, p) : new ConvNd(2, c, c, 1, 1, 0, true, p);
    }

    @Override
    public void setGradientCheckpointing(boolean on) {
        checkpointing = on;
    }

    public Tensor forward(Tensor x, Tensor context) {
        return checkpointing ? Checkpoint.run(this, in -> compute(in.get(0), in.get(1)), x, context) : compute(x, context);
    }

    private Tensor compute(Tensor x, Tensor context) {
        long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        Tensor t = norm.forward(x);
        if (!linearProjection) t = projIn.forward(t);
        t = t.permute(0, 2, 3, 1).reshape(b, h * w, c);
        if (linearProjection) t = projIn.forward(t);
        for (BasicTransformerBlock block : blocks) t = block.forward(t, context);
        if (linearProjection) t = projOut.forward(t);
        t = t.reshape(b, h, w, c).permute(0, 3, 1, 2);
        if (!linearProjection) t = projOut.forward(t.contiguous());
        return t.add(x);
    }
}
