package dev.lycoris4j.adapters.functional;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Full / native fine-tuning (spec §2.10) stores the plain difference of a tensor ({@code diff},
 * {@code diff_b}); Norm (§2.11) does the same for a norm layer's affine parameters. Both merge as
 * {@code p + m·Δp}.
 */
public final class Full {
    private Full() {}

    /** {@code base + m·diff} in base's dtype; {@code base} when there is no diff, null when there is no base. */
    public static Tensor merged(Tensor base, Tensor diff, double multiplier) {
        if (diff == null || base == null) return base;
        return base.add(diff.to(base.scalar_type()).mul(new Scalar(multiplier)));
    }
}
