package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * DyLoRA (spec §2.9): a LoRA whose rank is cut into blocks of {@code blockSize}; a forward uses the
 * first t+1 blocks with scale {@code alpha/(t+1)}. Up is (out, r) (2-D even for a conv, as saved),
 * down is (r, in[, *k]).
 */
public final class Dylora {
    private Dylora() {}

    /** Which leading rows of the rank the delta uses, and its scale. {@code block} is the reference's t. */
    public record Cut(int block, int rows, double scale) {}

    /**
     * The reference's {@code get_weight(rank)}: {@code t = ceil(rank / blockSize)}; the blocks 0…min(t, count−1)
     * are used; the scale is {@code alpha/(t+1)} even when t was clamped, so the full rank gets
     * {@code alpha/(count+1)}, not alpha/r (spec §8 #9). This is the forward users' images come from.
     */
    public static Cut forRank(int rank, int blockSize, int loraDim, double alpha) {
        if (rank < 0) throw new IllegalArgumentException("DyLoRA rank must be ≥ 0, got " + rank);
        int count = loraDim / blockSize;
        int t = (rank + blockSize - 1) / blockSize;
        int blocks = Math.min(t, count - 1) + 1;
        return new Cut(t, blocks * blockSize, alpha / (t + 1));
    }

    /** The training draw for block t (0 ≤ t < count): blocks 0…t, scale alpha/(t+1). */
    public static Cut forBlock(int t, int blockSize, double alpha) {
        return new Cut(t, (t + 1) * blockSize, alpha / (t + 1));
    }

    /**
     * The rank rows of {@code up} (columns) and {@code down} (rows) a cut uses; the first {@code frozenRows} are
     * detached, as the reference trains only the newest block. Returns {up, down}.
     */
    static Tensor[] factors(Tensor up, Tensor down, Cut cut, int frozenRows) {
        Tensor u = up.reshape(up.size(0), -1).narrow(1, 0, cut.rows());
        Tensor d = down.narrow(0, 0, cut.rows());
        if (frozenRows > 0 && frozenRows < cut.rows()) {
            u = torch.cat(new TensorVector(u.narrow(1, 0, frozenRows).detach(),
                    u.narrow(1, frozenRows, cut.rows() - frozenRows)), 1);
            d = torch.cat(new TensorVector(d.narrow(0, 0, frozenRows).detach(),
                    d.narrow(0, frozenRows, cut.rows() - frozenRows)), 0);
        }
        return new Tensor[] {u, d};
    }

    /** ΔW of a cut, shaped {@code shape}; gradients reach only rank rows from {@code frozenRows} on. */
    public static Tensor deltaWeight(Tensor up, Tensor down, Cut cut, int frozenRows, long[] shape) {
        Tensor[] f = factors(up, down, cut, frozenRows);
        return Lora.deltaWeight(f[0], f[1], null, cut.scale(), shape);
    }

    /** {@code scale · up(down(x))} of a cut, on activations (down with the layer's geometry). */
    public static Tensor bypass(Tensor x, Tensor up, Tensor down, Cut cut, int frozenRows, LayerSpec layer) {
        Tensor[] f = factors(up, down, cut, frozenRows);
        return Lora.bypass(x, f[0], f[1], null, layer, null).mul(new Scalar(cut.scale()));
    }
}
