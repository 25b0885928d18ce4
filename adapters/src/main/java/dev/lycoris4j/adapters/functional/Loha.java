package dev.lycoris4j.adapters.functional;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * LoHa (spec §2.3): the Hadamard product of two low-rank matrices,
 * {@code ΔW = scale · (w1a·w1b) ⊙ (w2a·w2b)}; with Tucker cores each factor is
 * {@code R_i = Σ t_i[a,b,k…]·w_ia[a,·]·w_ib[b,·]}.
 */
public final class Loha {
    private Loha() {}

    /**
     * @param t1 null for the matrix form, where {@code w1a} is (out, r) and {@code w1b} (r, in·k…);
     *           with Tucker {@code w1a} is (r, out) (the files' transposed orientation) and {@code w1b} (r, in)
     */
    public static Tensor deltaWeight(Tensor w1a, Tensor w1b, Tensor w2a, Tensor w2b, Tensor t1, Tensor t2,
                                     double scale, long[] shape) {
        Tensor first = t1 == null ? w1a.matmul(w1b) : Tucker.rebuild(t1, w1a, w1b);
        Tensor second = t2 == null ? w2a.matmul(w2b) : Tucker.rebuild(t2, w2a, w2b);
        return first.mul(second).reshape(shape).mul(new Scalar(scale));
    }
}
