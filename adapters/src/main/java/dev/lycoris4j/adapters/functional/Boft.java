package dev.lycoris4j.adapters.functional;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * BOFT, butterfly orthogonal fine-tuning (spec §2.6): {@code stages} sparse rotations, each a
 * block-diagonal Cayley rotation sandwiched between a butterfly permutation of the channels. As in
 * Diag-OFT the weight's rows and the output's channels get the same transform ({@link #rotateRows});
 * unlike Diag-OFT, blocks multiply with R itself, not Rᵀ (spec §8 #5). The Cayley transform,
 * constraint and multiplier rule are Diag-OFT's ({@link DiagOft#cayley}, {@link DiagOft#atMultiplier}).
 */
public final class Boft {
    private Boft() {}

    /** {@code blockNum} (a power of two) blocks of {@code blockSize} (even) channels, {@code stages} butterfly stages. */
    public record Geometry(int blockSize, int blockNum, int stages) {}

    /**
     * The reference's {@code power2factorization(out, dim)}: over even m = 2, 4, … with m ≤ dim
     * (skipping non-divisors of out), keep the last m for which out/m is a power of two; block size
     * m, out/m blocks, {@code log2(blocks) + 1} stages. Fails when no such m exists (e.g. 48 / 4).
     */
    public static Geometry geometry(long out, int dim) {
        long factor = dim == -1 ? out : dim;
        long blockNum = 0;
        long m = 0;
        while (m <= factor) {
            m += 2;
            while (out % m != 0 && m < out) m += 2;
            if (m > factor) break;
            if (Long.bitCount(out / m) == 1) blockNum = out / m;
        }
        if (blockNum == 0) {
            throw new IllegalArgumentException("BOFT cannot split " + out + " channels with lora_dim " + dim
                    + ": it needs an even block size ≤ " + dim + " dividing " + out + " into a power-of-two count");
        }
        return new Geometry(Math.toIntExact(out / blockNum), Math.toIntExact(blockNum),
                Long.bitCount(blockNum - 1) + 1);
    }

    /**
     * Applies every stage to the rows of {@code rows} (out, M). Stage i, with k = 2ⁱ·b/2, views the
     * rows as (out/2k, 2, k), swaps the last two axes (the butterfly), cuts the result into blocks of
     * b rows, replaces block j by {@code R[i][j] · block_j}, and undoes the permutation.
     *
     * @param r rotations (stages, blockNum, b, b), already at the multiplier
     */
    public static Tensor rotateRows(Tensor rows, Tensor r) {
        long stages = r.size(0);
        long n = r.size(1);
        long b = r.size(2);
        long out = n * b;
        Tensor t = rows.to(r.scalar_type());
        long cols = t.size(1);
        for (long i = 0; i < stages; i++) {
            long k = (1L << i) * (b / 2);
            Tensor permuted = t.reshape(out / (2 * k), 2, k, cols).transpose(1, 2).reshape(n, b, cols);
            Tensor rotated = torch.matmul(r.select(0, i), permuted);
            t = rotated.reshape(out / (2 * k), k, 2, cols).transpose(1, 2).reshape(out, cols);
        }
        return t;
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
}
