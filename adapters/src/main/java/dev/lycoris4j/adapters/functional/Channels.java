package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Moving a tensor's channel axis to the front and back. The output-rotating algorithms (OFT, BOFT,
 * IA3 on the output) transform a weight's rows and a layer output's channels with the same matrix,
 * so they are written once, on a (channels, everything else) matrix, and both uses go through here.
 */
public final class Channels {
    private Channels() {}

    /** Axis holding a layer's output channels in its activations: last for Linear/LayerNorm, 1 for Conv/GroupNorm. */
    public static long outputAxis(LayerSpec layer) {
        return switch (layer) {
            case LayerSpec.Linear _ -> -1;
            case LayerSpec.Conv _ -> 1;
            case LayerSpec.LayerNorm _ -> -1;
            case LayerSpec.GroupNorm _ -> 1;
        };
    }

    /** Axis holding a layer's input channels in its activations (Linear: last, Conv: 1). */
    public static long inputAxis(LayerSpec layer) {
        return outputAxis(layer);
    }

    /** {@code t} as a (size of {@code axis}, rest) matrix: row c holds every element with index c on that axis. */
    public static Tensor toRows(Tensor t, long axis) {
        Tensor moved = t.movedim(axis, 0);
        return moved.reshape(moved.size(0), -1);
    }

    /** Inverse of {@link #toRows}: {@code rows} back to {@code shape} with the channel axis at {@code axis}. */
    public static Tensor fromRows(Tensor rows, long axis, long[] shape) {
        int ax = (int) (axis < 0 ? axis + shape.length : axis);
        long[] moved = new long[shape.length];
        moved[0] = shape[ax];
        for (int i = 0, j = 1; i < shape.length; i++) if (i != ax) moved[j++] = shape[i];
        return rows.reshape(moved).movedim(0, ax);
    }

    /**
     * Applies {@code f}, a transform of (channels, M) matrices, to {@code t}'s channel axis {@code axis},
     * then multiplies the channels by {@code scale} (may be null). The result has {@code t}'s shape and dtype.
     */
    public static Tensor transform(Tensor t, long axis, UnaryOperator<Tensor> f, Tensor scale) {
        Tensor out = fromRows(f.apply(toRows(t, axis)), axis, Tensors.shape(t));
        if (scale != null) out = out.mul(along(scale, axis, t.dim()).to(out.scalar_type()));
        return out.to(t.scalar_type());
    }

    /** A per-channel vector (any shape with {@code n} elements) shaped to broadcast along {@code axis} of an {@code ndim}-D tensor. */
    public static Tensor along(Tensor v, long axis, long ndim) {
        long[] shape = new long[(int) ndim];
        Arrays.fill(shape, 1);
        shape[(int) (axis < 0 ? axis + ndim : axis)] = v.numel();
        return v.reshape(shape);
    }
}
