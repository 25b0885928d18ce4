package dev.lycoris4j.adapters.functional;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * DiffuseKronA (evaluation-reference §4.1): a Linear's update from a small {@code A (a1, a2)} and a
 * large {@code B (d_out/a1, d_in/a2)}, with a1 dividing the output and a2 the input dimension. The
 * IBM code does not compute the plain {@code A ⊗ B}: its update is the Kronecker product with the
 * output rows perfectly shuffled, {@code ΔW[i·a1 + j, p·b2 + q] = B[i,q]·A[j,p]}, and checkpoints
 * only make sense with that index map, so it is the one used everywhere here.
 */
public final class Krona {
    private Krona() {}

    /** ΔW (d_out, d_in) = m · the shuffled Kronecker product of A and B. */
    public static Tensor deltaWeight(Tensor a, Tensor b, double multiplier) {
        long a1 = a.size(0), a2 = a.size(1), b1 = b.size(0), b2 = b.size(1);
        // Axes (i, j, p, q) → row i·a1 + j, column p·b2 + q: a broadcast product, no kron call.
        Tensor outer = b.reshape(b1, 1, 1, b2).mul(a.to(b.scalar_type()).reshape(1, a1, a2, 1));
        return outer.reshape(b1 * a1, a2 * b2).mul(new Scalar(multiplier));
    }

    /**
     * The same update on activations, as the IBM layer computes it: each token (last axis, d_in) is
     * viewed as an a2×b2 matrix M, and {@code Z = B·Mᵀ·Aᵀ} (b1×a1) flattened row-major is the output.
     */
    public static Tensor bypass(Tensor x, Tensor a, Tensor b, double multiplier) {
        long a1 = a.size(0), a2 = a.size(1), b1 = b.size(0), b2 = b.size(1);
        long[] shape = x.sizes().vec().get();
        long[] lead = java.util.Arrays.copyOf(shape, shape.length - 1);
        Tensor m = x.reshape(-1, a2, b2);
        Tensor z = b.to(x.scalar_type()).matmul(m.transpose(1, 2)).matmul(a.to(x.scalar_type()).t());
        return z.reshape(Lora.concat(lead, new long[] {b1 * a1})).mul(new Scalar(multiplier));
    }
}
