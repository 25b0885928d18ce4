package dev.lycoris4j.adapters.functional;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * (IA)³ (spec §2.7): a learned per-channel gain {@code 1 + m·w}, on the output channels (W's rows)
 * or on the input channels (W's columns). The stored vector's shape ((n,) for Linear, (1, n, 1…) for
 * Conv) does not matter here: it is read as n values.
 */
public final class Ia3 {
    private Ia3() {}

    /** The gain vector {@code 1 + m·w}, flattened to (n,). */
    public static Tensor gain(Tensor w, double multiplier) {
        return w.reshape(-1).mul(new Scalar(multiplier)).add(new Scalar(1.0));
    }

    /** {@code W[o,…]·(1+m·w[o])} on the output, {@code W[:,i,…]·(1+m·w[i])} on the input. In W's dtype. */
    public static Tensor mergedWeight(Tensor weight, Tensor w, boolean onInput, double multiplier) {
        Tensor g = Channels.along(gain(w, multiplier), onInput ? 1 : 0, weight.dim());
        return weight.mul(g.to(weight.scalar_type()));
    }

    /**
     * Bypass on the output (reference semantics, spec §2.7/§8 #7): the whole output, bias included, is
     * multiplied by the gain; {@code axis} is the output's channel axis.
     */
    public static Tensor scaleOutput(Tensor y, long axis, Tensor w, double multiplier) {
        return y.mul(Channels.along(gain(w, multiplier), axis, y.dim()).to(y.scalar_type()));
    }

    /**
     * Bypass on the input: the reference runs the layer on {@code x·gain}. Since the layer is linear in
     * x up to its bias, that is the output so far plus the layer without bias applied to {@code x·(m·w)};
     * this returns that {@code x·(m·w)} ({@code axis}: the input's channel axis).
     */
    public static Tensor inputIncrement(Tensor x, long axis, Tensor w, double multiplier) {
        return x.mul(Channels.along(w.reshape(-1).mul(new Scalar(multiplier)), axis, x.dim()).to(x.scalar_type()));
    }
}
