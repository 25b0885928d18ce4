package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.Tensor;

/**
 * diffusers' FeedForward with GEGLU: {@code net.0.proj} (C→2·4C), value·gelu(gate) with the value in
 * the first half, then {@code net.2} (4C→C). {@code net.1} is a parameterless dropout.
 */
public final class FeedForward extends Module {
    private final Linear proj;
    private final Linear out;

    public FeedForward(long dim, Placement p) {
        long inner = 4 * dim;
        Net net = register("net", new Net());
        proj = net.put("0", new Geglu(dim, inner, p)).proj;
        out = net.put("2", new Linear(inner, dim, true, p));
    }

    public Tensor forward(Tensor x) {
        var halves = proj.forward(x).chunk(2, -1);
        Tensor hidden = halves.get(0).mul(Activations.gelu(halves.get(1)));
        return out.forward(hidden);
    }

    /** The {@code net} container: a Sequential whose dropout slot (index 1) has no parameters. */
    static final class Net extends Module {
        <M extends Module> M put(String index, M m) {
            return register(index, m);
        }

        @Override public String typeName() { return "ModuleList"; }
    }

    /** {@code net.0}: holds {@code proj}. */
    static final class Geglu extends Module {
        final Linear proj;

        Geglu(long dim, long inner, Placement p) {
            proj = register("proj", new Linear(dim, 2 * inner, true, p));
        }

        @Override public String typeName() { return "GEGLU"; }
    }
}
