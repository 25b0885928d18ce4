package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Norm (spec §2.11): additive deltas {@code w_norm}, {@code b_norm} on a LayerNorm's or GroupNorm's
 * affine weight and bias; merging is {@link Full#merged}. A norm layer is affine in its parameters,
 * {@code norm(x; w, b) = n(x)·w + b}, so the delta's contribution can be computed on its own.
 */
public final class NormDelta {
    private NormDelta() {}

    /** {@code n(x)·(m·w_norm) + m·b_norm}: what the deltas add to the layer output ({@code bNorm} may be null). */
    public static Tensor bypassIncrement(LayerSpec layer, Tensor x, Tensor wNorm, Tensor bNorm, double multiplier) {
        Scalar m = new Scalar(multiplier);
        return layer.apply(x, wNorm.to(x.scalar_type()).mul(m), bNorm == null ? null : bNorm.to(x.scalar_type()).mul(m));
    }
}
