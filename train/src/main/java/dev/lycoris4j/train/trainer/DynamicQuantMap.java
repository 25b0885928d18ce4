package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;

/**
 * bitsandbytes' 8-bit "dynamic" data type and blockwise absmax quantisation with it, as its 8-bit optimizers store
 * their moments.
 *
 * <p>The map is {@code bitsandbytes.functional.create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)}: for
 * each exponent {@code i = 0..6}, the midpoints of {@code linspace(0.1, 1, k + 1)} scaled by {@code 10^(i-6)}, with
 * {@code k = 2^i} per sign for the signed map and {@code k = 2^(i+1)} for the unsigned one (bitsandbytes computes
 * {@code non_sign_bits} as {@code total_bits - 1} for both, so the unsigned map spends the sign bit on fraction), then
 * 0 and 1, sorted: 256 values in [-0.993, 1] (signed) or [0, 1] (unsigned), dense near zero, where Adam's moments
 * mostly are. bitsandbytes works the formula in float32; here it is worked in double and rounded once, so entries
 * agree to float32 rounding.
 *
 * <p>Quantisation is bitsandbytes' {@code quantize_blockwise}: the flat tensor is cut into blocks of
 * {@code blockSize}, each block divided by its absolute maximum (an all-zero block by 1, as bitsandbytes' PyTorch
 * reference {@code _quantize_blockwise_pytorch} does) and every value replaced by the index of the nearest map
 * entry (its {@code argmin |x - code|}; the CUDA kernel's {@code quantize_2D} binary search finds the same). Here the
 * nearest entry is found with {@code bucketize} against the 255 midpoints between neighbouring entries, a binary
 * search per value instead of bitsandbytes' reference 256-wide distance matrix. Dequantisation is
 * {@code code[index] * absmax[block]}.
 */
public final class DynamicQuantMap {
    /** Entries in an 8-bit map. */
    public static final int SIZE = 256;

    private static final int MAX_EXPONENT_BITS = 7;

    /** The signed map, for Adam's first moment. */
    public static final DynamicQuantMap SIGNED = new DynamicQuantMap(create(true));
    /** The unsigned map, for Adam's second moment (never negative). */
    public static final DynamicQuantMap UNSIGNED = new DynamicQuantMap(create(false));

    private final float[] values;
    private final Tensor code;
    private final Tensor midpoints;

    private DynamicQuantMap(float[] values) {
        this.values = values;
        float[] mid = new float[SIZE - 1];
        for (int k = 0; k < mid.length; k++) mid[k] = (values[k] + values[k + 1]) / 2;
        // Constants of the whole run: kept out of whichever step scope is open when this class is first used.
        this.code = StepScope.keep(Tensors.fromFloats(values, SIZE));
        this.midpoints = StepScope.keep(Tensors.fromFloats(mid, SIZE - 1));
    }

    /** bitsandbytes' {@code create_dynamic_map(signed, 7, 8)}: 256 sorted entries. */
    static float[] create(boolean signed) {
        double[] data = new double[SIZE];
        int n = 0;
        for (int i = 0; i < MAX_EXPONENT_BITS; i++) {
            int items = signed ? 1 << i : 1 << (i + 1);
            double scale = Double.parseDouble("1e" + (i - (MAX_EXPONENT_BITS - 1)));
            for (int j = 0; j < items; j++) {
                // the midpoint of boundaries j and j+1 of linspace(0.1, 1, items + 1)
                double lower = 0.1 + 0.9 * j / items;
                double upper = 0.1 + 0.9 * (j + 1) / items;
                double mean = (lower + upper) / 2;
                data[n++] = scale * mean;
                if (signed) data[n++] = -scale * mean;
            }
        }
        data[n++] = 0;
        data[n++] = 1;
        if (n != SIZE) throw new AssertionError("dynamic map has " + n + " entries");
        Arrays.sort(data);
        float[] out = new float[SIZE];
        for (int k = 0; k < SIZE; k++) out[k] = (float) data[k];
        return out;
    }

    /** The 256 entries, ascending. */
    public float[] values() {
        return values.clone();
    }

    /** Blocks of {@code blockSize} needed for {@code n} values (the last one possibly partial). */
    public static long blocks(long n, int blockSize) {
        return (n + blockSize - 1) / blockSize;
    }

    /**
     * Quantises {@code x}, fp32 of shape [blocks, blockSize] whose values past the first {@code codes.numel()}
     * are padding zeros, into {@code codes} (uint8, flat, one per real value) and {@code absmax} (fp32, one per block),
     * both overwritten in place.
     */
    public void quantize(Tensor x, Tensor codes, Tensor absmax) {
        Tensor max = x.abs().amax(new long[] {1}, false);
        Tensor scale = max.masked_fill(max.eq(new Scalar(0.0)), new Scalar(1.0));
        Tensor index = torch.bucketize(x.div(scale.unsqueeze(1)), midpoints, true, false);
        codes.copy_(index.view(-1).narrow(0, 0, codes.numel()));
        absmax.copy_(scale);
    }

    /**
     * The fp32 values {@code codes} and {@code absmax} stand for, as [blocks, blockSize] with the partial last block
     * padded with zeros (a new tensor).
     */
    public Tensor dequantize(Tensor codes, Tensor absmax, int blockSize) {
        long n = codes.numel();
        long padded = absmax.numel() * blockSize;
        Tensor flat = code.index_select(0, Tensors.to(codes.view(-1), DType.I32));
        if (padded > n) flat = torch.constant_pad_nd(flat, 0, padded - n);
        return flat.view(absmax.numel(), blockSize).mul_(absmax.unsqueeze(1));
    }
}
