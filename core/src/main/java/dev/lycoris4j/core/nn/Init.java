package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * PyTorch's default parameter initialisation, drawn from libtorch's default generator so that
 * {@code torch.manual_seed(s)} reproduces Python's layers value for value.
 */
final class Init {
    private Init() {}

    /**
     * {@code reset_parameters()} of Linear and ConvNd: {@code kaiming_uniform_(weight, a=√5)}, then the bias
     * from U(−1/√fan_in, 1/√fan_in). The bound is worked exactly as PyTorch does (gain·√3/√fan_in, which is
     * 1/√fan_in up to rounding) so the draws match to the last bit. Weight first, then bias: the order of
     * draws is part of the result.
     */
    static void kaimingUniform(Tensor weight, Tensor bias, long fanIn) {
        double a = Math.sqrt(5.0);
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double bound = Math.sqrt(3.0) * (gain / Math.sqrt(fanIn));
        weight.uniform_(-bound, bound, new GeneratorOptional());
        if (bias != null) {
            double biasBound = 1 / Math.sqrt(fanIn);
            bias.uniform_(-biasBound, biasBound, new GeneratorOptional());
        }
    }

    /**
     * Registered parameters are trainable, as an {@code nn.Parameter} is. Returns {@code t} itself: the
     * handle that {@code requires_grad_} returns borrows t's native object and must not outlive it.
     */
    static Tensor trainable(Tensor t) {
        if (t != null) t.requires_grad_(true);
        return t;
    }

    static long positive(String what, long value) {
        if (value <= 0) throw new IllegalArgumentException(what + " must be positive, got " + value);
        return value;
    }
}
