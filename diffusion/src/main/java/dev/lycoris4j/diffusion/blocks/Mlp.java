package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;

/** fc2(act(fc1 x)) with transformers' CLIP names: the feed-forward of CLIP's towers and of ViTs in that naming. */
public final class Mlp extends Module {
    private final String typeName;
    private final Linear fc1;
    private final Linear fc2;
    private final String activation;

    /** {@code activation}: a config's name for it (see {@link Activations#byName}). */
    public Mlp(String typeName, long width, long hidden, String activation, Placement p) {
        this.typeName = typeName;
        this.activation = activation;
        fc1 = register("fc1", new Linear(width, hidden, true, p));
        fc2 = register("fc2", new Linear(hidden, width, true, p));
    }

    @Override public String typeName() { return typeName; }

    public Tensor forward(Tensor x) {
        return fc2.forward(Activations.byName(activation, fc1.forward(x)));
    }
}
