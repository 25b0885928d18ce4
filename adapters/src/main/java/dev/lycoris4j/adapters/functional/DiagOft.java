package dev.lycoris4j.adapters.functional;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Diag-OFT (spec §2.5): the output channels are cut into {@code blockNum} contiguous blocks of
 * {@code blockSize}, and each block is rotated by the Cayley transform of a skew-symmetric matrix.
 * The weight's rows and the layer output's channels are rotated by the same block-diagonal matrix,
 * so {@link #rotateRows} serves merging and bypass alike.
 */
public final class DiagOft {
    private DiagOft() {}

    /** Block geometry: {@code blockNum} blocks of {@code blockSize} channels. */
    public record Blocks(int blockSize, int blockNum) {}

    /**
     * The reference takes {@code factorization(out, dim)} and uses the <em>smaller</em> factor as the
     * block size (spec §2.5, §8 #6), so {@code dim} is only a hint: 48/8 gives blocks of 6.
     */
    public static Blocks blocks(long out, int dim) {
        Lokr.Split f = Lokr.factorization(out, dim);
        return new Blocks(Math.toIntExact(f.small()), Math.toIntExact(f.large()));
    }

    /**
     * Rotations {@code R = (I + Q)(I − Q)⁻¹} with {@code Q = B − Bᵀ} over the last two axes of
     * {@code blocks} (any leading axes). With {@code normLimit > 0} (the reference's
     * {@code constraint · out}), Q is scaled down to that Frobenius norm, measured over the whole
     * tensor (all blocks, all stages), when {@code ‖Q‖ + 1e-8} exceeds it. Low-precision blocks are
     * solved in fp32, as the reference's {@code .float().inverse()} does.
     */
    public static Tensor cayley(Tensor blocks, double normLimit) {
        Tensor q = blocks.sub(blocks.transpose(-2, -1));
        if (normLimit > 0) {
            Tensor norm = q.norm().add(new Scalar(1e-8));
            if (norm.item_double() > normLimit) q = q.mul(new Scalar(normLimit)).div(norm);
        }
        if (q.scalar_type() != torch.ScalarType.Double) q = q.to(torch.ScalarType.Float);
        Tensor eye = identity(q.size(-1), q);
        // (I+Q) and (I−Q)⁻¹ are functions of the same Q and commute, so R = (I−Q)⁻¹(I+Q): a solve, no inverse.
        return torch.linalg_solve(eye.sub(q), eye.add(q));
    }

    /** {@code m·R + (1 − m)·I}: the reference's multiplier, an interpolation towards no rotation. */
    public static Tensor atMultiplier(Tensor r, double multiplier) {
        if (multiplier == 1) return r;
        Tensor eye = identity(r.size(-1), r);
        return r.mul(new Scalar(multiplier)).add(eye.mul(new Scalar(1 - multiplier)));
    }

    /**
     * Rotates the rows of {@code rows} (out, M) block-wise: block k becomes {@code R_kᵀ · block_k}.
     * The transpose is the reference's (its einsum contracts R's first index), spec §8 #5.
     */
    public static Tensor rotateRows(Tensor rows, Tensor r) {
        long n = r.size(0);
        long bs = r.size(1);
        Tensor blocks = rows.to(r.scalar_type()).reshape(n, bs, -1);
        return torch.matmul(r.transpose(-2, -1), blocks).reshape(n * bs, -1);
    }

    /** Merged weight: W's rows transformed, then multiplied row-wise by {@code rescale} (may be null). In W's dtype. */
    public static Tensor mergedWeight(Tensor weight, Tensor r, Tensor rescale) {
        return Channels.transform(weight, 0, rows -> rotateRows(rows, r), rescale);
    }

    /**
     * Bypass: the same transform applied to a layer output's channels (axis {@code axis}), bias
     * included (spec §2.5/§2.6), then the per-channel {@code rescale} (may be null). In y's dtype.
     */
    public static Tensor rotateOutput(Tensor y, long axis, Tensor r, Tensor rescale) {
        return Channels.transform(y, axis, rows -> rotateRows(rows, r), rescale);
    }

    static Tensor identity(long n, Tensor like) {
        return torch.eye(n, new TensorOptions(like.scalar_type())).to(like.device(), like.scalar_type());
    }
}
