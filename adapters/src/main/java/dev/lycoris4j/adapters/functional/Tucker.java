package dev.lycoris4j.adapters.functional;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/** The Tucker (CP-style) reconstruction that LoRA's {@code lora_mid}, LoHa's {@code hada_t*} and LoKr's {@code lokr_t2} share. */
public final class Tucker {
    private Tucker() {}

    /**
     * {@code W[p, q, k…] = Σ_{a,b} core[a, b, k…] · left[a, p] · right[b, q]} (spec §2.3).
     *
     * @param core  (r1, r2, *kernel)
     * @param left  (r1, p): the output-side factor, in the "transposed" orientation the files use
     * @param right (r2, q): the input-side factor
     * @return (p, q, *kernel)
     */
    public static Tensor rebuild(Tensor core, Tensor left, Tensor right) {
        long[] kernel = core.sizes().vec().get();
        long[] out = new long[kernel.length];
        out[0] = left.size(1);
        out[1] = right.size(1);
        System.arraycopy(kernel, 2, out, 2, kernel.length - 2);
        // The kernel axes are flattened into one so the equation needs no ellipsis.
        Tensor flat = core.reshape(core.size(0), core.size(1), -1);
        return torch.einsum("abk,ap,bq->pqk", new TensorVector(flat, left, right)).reshape(out);
    }
}
