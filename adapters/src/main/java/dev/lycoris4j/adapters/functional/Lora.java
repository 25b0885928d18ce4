package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;

/**
 * LoRA / LoCon (spec §2.1): {@code ΔW = scale · up · down}, with a Tucker core {@code mid} for k×k convs.
 * Weights may carry trailing singleton (conv) axes; they are flattened where a matrix is meant.
 */
public final class Lora {
    private Lora() {}

    /** {@code ΔW = scale · up·down} (or {@code Σ up[o,a]·mid[a,b,k…]·down[b,i]}), shaped like the layer weight. */
    public static Tensor deltaWeight(Tensor up, Tensor down, Tensor mid, double scale, long[] shape) {
        Tensor upMatrix = up.reshape(up.size(0), -1);
        Tensor downMatrix = down.reshape(down.size(0), -1);
        Tensor w = mid == null ? upMatrix.matmul(downMatrix) : Tucker.rebuild(mid, upMatrix.t(), downMatrix);
        return w.reshape(shape).mul(new Scalar(scale));
    }

    /**
     * {@code up(mid(down(x)))} through the factors, never forming ΔW, unscaled. For a conv, the factor that
     * carries the kernel (down, or mid with Tucker) runs with the layer's stride, padding and dilation; the
     * 1×1 factors run plainly. {@code rankMask} (length r, or null) multiplies the rank channels (rank dropout).
     */
    public static Tensor bypass(Tensor x, Tensor up, Tensor down, Tensor mid, LayerSpec layer, Tensor rankMask) {
        long rank = down.size(0);
        if (layer instanceof LayerSpec.Conv conv) {
            long[] ones = new long[conv.dims()];
            Arrays.fill(ones, 1);
            long[] downKernel = Arrays.copyOfRange(down.sizes().vec().get(), 2, 2 + conv.dims());
            Tensor h = conv.withKernel(conv.in(), rank, downKernel, mid == null).apply(x, down, null);
            if (mid != null) h = conv.withKernel(rank, rank, conv.kernel(), true).apply(h, mid, null);
            if (rankMask != null) h = h.mul(rankMask.reshape(channelShape(rank, conv.dims())));
            Tensor upKernel = up.reshape(concat(new long[] {up.size(0), rank}, ones));
            return conv.withKernel(rank, up.size(0), ones, false).apply(h, upKernel, null);
        }
        Tensor h = torch.linear(x, down);
        if (rankMask != null) h = h.mul(rankMask);
        return torch.linear(h, up.reshape(up.size(0), -1));
    }

    /** (n, 1, …, 1) with one 1 per spatial axis: broadcasts over batched and unbatched conv activations alike. */
    static long[] channelShape(long n, int spatialDims) {
        long[] s = new long[1 + spatialDims];
        Arrays.fill(s, 1);
        s[0] = n;
        return s;
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
