package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;

/**
 * GLoRA (spec §2.8): {@code ΔW = (W ×_in (a1·a2) + b1·b2) · scale}, where {@code W ×_in A} multiplies
 * W's input-channel axis by the in×in matrix {@code A = a1·a2}. Tensors are stored as the reference's
 * Linear/Conv sub-layers: a1 (in, r[,1…]), a2 (r, in[,1…]), b1 (out, r[,1…]), b2 (r, in[, *k]).
 */
public final class Glora {
    private Glora() {}

    /** ΔW (W's shape, a1's dtype) with {@code scale} = alpha/r (times the scalar, if any). */
    public static Tensor deltaWeight(Tensor weight, Tensor a1, Tensor a2, Tensor b1, Tensor b2, double scale) {
        Tensor a = flat(a1).matmul(flat(a2));
        Tensor wa = weight.to(a.scalar_type()).movedim(1, -1).matmul(a).movedim(-1, 1);
        Tensor b = flat(b1).matmul(flat(b2)).reshape(Tensors.shape(weight));
        return wa.add(b).mul(new Scalar(scale));
    }

    /**
     * The bypass increment {@code op(a1(a2(x)), W) + b1(b2(x))}, times {@code coefficient}, computed on
     * activations: a2, a1 and b1 run as 1×1 factors, b2 with the layer's kernel and geometry, and W with
     * the layer's op without its bias. The merged forward corresponds to {@code coefficient = m·scale};
     * the reference's bypass uses {@code m·scale²} (spec §8 #8). {@code maskA}, {@code maskB} (length r, or
     * null) multiply the rank channels of the two paths (rank dropout).
     */
    public static Tensor bypassIncrement(LayerSpec layer, Tensor x, Tensor weight, Tensor a1, Tensor a2, Tensor b1,
                                         Tensor b2, double coefficient, Tensor maskA, Tensor maskB) {
        // a2·a1 is a pair of 1×1 factors without the layer's stride/padding; b2 carries the layer's kernel.
        LayerSpec pointwise = layer;
        if (layer instanceof LayerSpec.Conv c) {
            long[] ones = new long[c.dims()];
            Arrays.fill(ones, 1);
            pointwise = c.withKernel(c.in(), c.in(), ones, false);
        }
        Tensor ax = Lora.bypass(x, a1, a2, null, pointwise, maskA);
        Tensor bx = Lora.bypass(x, b1, b2, null, layer, maskB);
        return layer.apply(ax, weight, null).add(bx).mul(new Scalar(coefficient));
    }

    static Tensor flat(Tensor t) {
        return t.reshape(t.size(0), -1);
    }
}
