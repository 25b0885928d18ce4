package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;

/** linear_2(silu(linear_1(x))): the UNet's time embedding and SDXL's add_embedding. */
public final class TimestepEmbedding extends Module {
    private final Linear linear1;
    private final Linear linear2;

    public TimestepEmbedding(long in, long dim, Placement p) {
        linear1 = register("linear_1", new Linear(in, dim, true, p));
        linear2 = register("linear_2", new Linear(dim, dim, true, p));
    }

    public Tensor forward(Tensor x) {
        return linear2.forward(Activations.silu(linear1.forward(x)));
    }
}
