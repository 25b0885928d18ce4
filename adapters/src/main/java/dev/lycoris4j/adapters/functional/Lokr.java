package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;

/**
 * LoKr (spec §2.4): {@code ΔW = scale · w1 ⊗ w2} with a small {@code w1 (a, c)} and a big {@code w2 (b, d[, k…])},
 * so {@code ΔW[i·b+j, p·d+q, k…] = w1[i,p] · w2[j,q,k…]}.
 */
public final class Lokr {
    private Lokr() {}

    /** {@code dim = small · large} with {@code small ≤ large}. */
    public record Split(long small, long large) {}

    /**
     * The reference's {@code factorization(dim, factor)}: a divisible positive factor splits {@code dim} at once;
     * otherwise (factor ≤ 0 meaning "no bound") walk the divisors of dim upwards while the pair is still
     * unbalanced and the next divisor does not exceed the factor — the divisor nearest √dim not above it.
     */
    public static Split factorization(long dim, long factor) {
        if (dim <= 0) throw new IllegalArgumentException("factorization of a non-positive dimension " + dim);
        if (factor > 0 && dim % factor == 0) {
            return new Split(Math.min(factor, dim / factor), Math.max(factor, dim / factor));
        }
        long bound = factor <= 0 ? dim : factor;
        long m = 1;
        while (m < dim / m) {
            long next = m + 1;
            while (dim % next != 0) next++;
            if (next > bound) break;
            m = next;
        }
        return new Split(Math.min(m, dim / m), Math.max(m, dim / m));
    }

    /** {@code ΔW = scale · w1 ⊗ w2}; for a conv, w1 gets trailing singleton axes so the kernel comes from w2. */
    public static Tensor deltaWeight(Tensor w1, Tensor w2, double scale, long[] shape) {
        long[] w1Shape = new long[w2.dim() < 2 ? 2 : (int) w2.dim()];
        Arrays.fill(w1Shape, 1);
        w1Shape[0] = w1.size(0);
        w1Shape[1] = w1.size(1);
        // kron views its inputs internally, so it needs contiguous ones (a Tucker-built w2 is not).
        return torch.kron(w1.reshape(w1Shape).contiguous(), w2.contiguous()).reshape(shape).mul(new Scalar(scale));
    }

    /**
     * {@code op(x, w1 ⊗ w2)} without the Kronecker product (paper App. B.3), unscaled. Linear: the input's last
     * axis is viewed as (c, d) and {@code Y = w1 · X · w2ᵀ}. Conv: the channels are viewed as c groups of d,
     * each group is convolved with w2 under the layer's geometry, and w1 mixes the groups.
     */
    public static Tensor bypass(Tensor x, Tensor w1, Tensor w2, LayerSpec layer) {
        long a = w1.size(0), c = w1.size(1), b = w2.size(0), d = w2.size(1);
        if (layer instanceof LayerSpec.Conv conv) {
            boolean unbatched = x.dim() == conv.dims() + 1;
            Tensor xb = unbatched ? x.unsqueeze(0) : x;
            long n = xb.size(0);
            long[] spatial = Arrays.copyOfRange(xb.sizes().vec().get(), 2, (int) xb.dim());
            Tensor h = conv.withKernel(d, b, conv.kernel(), true)
                    .apply(xb.reshape(Lora.concat(new long[] {n * c, d}, spatial)), w2, null);
            long[] outSpatial = Arrays.copyOfRange(h.sizes().vec().get(), 2, (int) h.dim());
            Tensor y = w1.matmul(h.reshape(n, c, -1)).reshape(Lora.concat(new long[] {n, a * b}, outSpatial));
            return unbatched ? y.squeeze(0) : y;
        }
        long[] lead = Arrays.copyOf(x.sizes().vec().get(), (int) x.dim() - 1);
        Tensor h = x.reshape(Lora.concat(lead, new long[] {c, d})).matmul(w2.t());   // (…, c, b): X·w2ᵀ
        // w1 mixes the groups; written as (…, b, c)·w1ᵀ so it is one large GEMM, not a batch of tiny ones
        Tensor y = h.transpose(-1, -2).matmul(w1.t()).transpose(-1, -2);            // (…, a, b)
        return y.reshape(Lora.concat(lead, new long[] {a * b}));
    }
}
