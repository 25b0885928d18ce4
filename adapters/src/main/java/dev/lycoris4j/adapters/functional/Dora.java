package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import java.util.Arrays;

/**
 * DoRA weight decomposition (spec §2.2): the adapted weight's direction with a learnt magnitude, normalised per
 * output row (files' {@code dora_scale} shaped (out, 1, …)) or per input column ((1, in, …)).
 */
public final class Dora {
    private Dora() {}

    /** The magnitude DoRA starts from: the original weight's row (or column) norms, in fp32. */
    public static Tensor magnitude(Tensor weight, boolean onOutput) {
        return norms(weight.to(ScalarType.Float), onOutput);
    }

    /** The magnitude's shape for a weight of {@code weightShape}: (out, 1, …) on output, (1, in, …) on input. */
    public static long[] magnitudeShape(long[] weightShape, boolean onOutput) {
        long[] s = new long[weightShape.length];
        Arrays.fill(s, 1);
        int axis = onOutput ? 0 : 1;
        s[axis] = weightShape[axis];
        return s;
    }

    /**
     * {@code W_new = W' ⊙ s} with {@code W' = W + ΔW} (the multiplier is not applied to ΔW),
     * {@code s = magnitude / (‖W'‖ + eps)} and, for {@code m ≠ 1}, {@code s ← m·(s − 1) + 1}: the multiplier
     * interpolates only the magnitude, as the reference's forward does. Computed in the magnitude's dtype,
     * whose machine epsilon is the eps.
     */
    public static Tensor apply(Tensor adapted, Tensor magnitude, boolean onOutput, double multiplier) {
        Tensor w = adapted.to(magnitude.scalar_type());
        Tensor scale = magnitude.div(norms(w, onOutput).add(new Scalar(epsilon(magnitude.scalar_type()))));
        if (multiplier != 1) scale = scale.sub(new Scalar(1.0)).mul(new Scalar(multiplier)).add(new Scalar(1.0));
        return w.mul(scale);
    }

    /** Machine epsilon of a floating dtype ({@code torch.finfo(dtype).eps}). */
    public static double epsilon(ScalarType dtype) {
        return switch (DType.of(dtype)) {
            case F64 -> Math.ulp(1.0);
            case F32 -> Math.ulp(1.0f);
            case F16 -> 0x1p-10;
            case BF16 -> 0x1p-7;
            default -> throw new IllegalArgumentException("DoRA magnitude must be floating point, got " + dtype);
        };
    }

    private static Tensor norms(Tensor w, boolean onOutput) {
        long[] shape = w.sizes().vec().get();
        Tensor grouped = onOutput ? w.reshape(shape[0], -1) : w.transpose(0, 1).reshape(shape[1], -1);
        Tensor n = torch.linalg_vector_norm(grouped, new Scalar(2.0), new long[] {1}, true, new ScalarTypeOptional());
        return onOutput ? n.reshape(magnitudeShape(shape, true)) : n.reshape(magnitudeShape(shape, false));
    }
}
