package dev.lycoris4j.diffusion.blocks;

import dev.lycoris4j.core.memory.StepScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The activations SD's models use, by the names their configs give them. */
public final class Activations {
    private Activations() {}

    // Kept: the class may first load inside a step scope, which would otherwise free the constant.
    private static final Scalar QUICK_GELU_SLOPE = StepScope.keep(new Scalar(1.702));

    public static Tensor silu(Tensor x) {
        return torch.silu(x);
    }

    /** GELU with the exact erf form (configs' "gelu"). */
    public static Tensor gelu(Tensor x) {
        return torch.gelu(x);
    }

    /** x·σ(1.702x): OpenAI CLIP's approximation (configs' "quick_gelu"). */
    public static Tensor quickGelu(Tensor x) {
        return x.mul(x.mul(QUICK_GELU_SLOPE).sigmoid());
    }

    /** Applies the activation a config names. */
    public static Tensor byName(String name, Tensor x) {
        return switch (name) {
            case "gelu" -> gelu(x);
            case "quick_gelu" -> quickGelu(x);
            case "silu", "swish" -> silu(x);
            default -> throw new IllegalArgumentException("unsupported activation '" + name + "'");
        };
    }
}
