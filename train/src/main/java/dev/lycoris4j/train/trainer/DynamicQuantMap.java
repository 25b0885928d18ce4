package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
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
 * entry (its {@code argmin |x - code|}; the CUDA kernel's {@code quantize_2D} binary search finds the same), i.e. the
 * number of midpoints between neighbouring entries that lie below the value. libtorch's {@code bucketize} against
 * the midpoints finds it but costs ~80 ns a value on the CPU (more than all the rest of the update), so the search is a
 * table look-up on the float's bits instead: the sign, exponent and top 8 mantissa bits (a bucket of values at most
 * 2^-8 of their magnitude wide) index a table of how many midpoints lie below the bucket, and one comparison with the
 * next midpoint settles the value, exact because no bucket holds two midpoints (the closest two are 0.7% of their
 * magnitude apart; the constructor checks it). Dequantisation is {@code code[index] * absmax[block]}.
 */
public final class DynamicQuantMap {
    /** Entries in an 8-bit map. */
    public static final int SIZE = 256;

    private static final int MAX_EXPONENT_BITS = 7;

    /** Bits of a float32 below the 8 mantissa bits a look-up key keeps. */
    private static final int KEY_SHIFT = 15;
    /** Added to the arithmetically shifted bits so negative floats' keys start at 0 and positive ones follow. */
    private static final int KEY_OFFSET = 1 << (31 - KEY_SHIFT);
    /** Keys up to that of 1.0, the largest scaled magnitude. */
    private static final int KEYS = (Float.floatToRawIntBits(1f) >> KEY_SHIFT) + KEY_OFFSET + 1;

    // Scalars of every quantisation, made once (and kept out of whichever step scope is open at class loading).
    private static final long[] BLOCK_DIM = {1};
    private static final Scalar ZERO = StepScope.keep(new Scalar(0.0));
    private static final Scalar ONE = StepScope.keep(new Scalar(1.0));
    private static final Scalar SHIFT = StepScope.keep(new Scalar(KEY_SHIFT));
    private static final Scalar OFFSET = StepScope.keep(new Scalar(KEY_OFFSET));
    private static final ScalarOptional FIRST_KEY = StepScope.keep(new ScalarOptional(StepScope.keep(new Scalar(0))));
    private static final ScalarOptional LAST_KEY = StepScope.keep(new ScalarOptional(StepScope.keep(new Scalar(KEYS - 1))));

    // After the constants above: building the maps uses them.
    /** The signed map, for Adam's first moment. */
    public static final DynamicQuantMap SIGNED = new DynamicQuantMap(create(true));
    /** The unsigned map, for Adam's second moment (never negative). */
    public static final DynamicQuantMap UNSIGNED = new DynamicQuantMap(create(false));

    private final float[] values;
    private final Tensor code;
    /** Per key, the number of midpoints below every value of the key's bucket (int32). */
    private final Tensor below;
    /** The 255 midpoints and +∞, so that {@code below} of the top bucket indexes a midpoint too. */
    private final Tensor midpoints;

    private DynamicQuantMap(float[] values) {
        this.values = values;
        float[] mid = new float[SIZE];
        for (int k = 0; k < SIZE - 1; k++) mid[k] = (values[k] + values[k + 1]) / 2;
        mid[SIZE - 1] = Float.POSITIVE_INFINITY;
        // Constants of the whole run: kept out of whichever step scope is open when this class is first used.
        this.code = StepScope.keep(Tensors.fromFloats(values, SIZE));
        this.midpoints = StepScope.keep(Tensors.fromFloats(mid, SIZE));
        this.below = StepScope.keep(Tensors.to(Tensors.fromLongs(belowTable(mid), KEYS), DType.I32));
    }

    /** For each key's bucket of floats, how many midpoints lie below all of it; checks one comparison settles the rest. */
    private static long[] belowTable(float[] mid) {
        long[] table = new long[KEYS];
        for (int key = 0; key < KEYS; key++) {
            int first = (key - KEY_OFFSET) << KEY_SHIFT;
            float a = Float.intBitsToFloat(first);
            float b = Float.intBitsToFloat(first + (1 << KEY_SHIFT) - 1);
            float low = Math.min(a, b);
            float high = Math.max(a, b);
            int n = 0;
            while (n < SIZE - 1 && mid[n] < low) n++;
            // Values v of the bucket are at index n + (v > mid[n]): right unless the next midpoint is inside too.
            if (n + 1 < SIZE - 1 && mid[n + 1] < high) throw new AssertionError("two midpoints in the bucket of key " + key);
            table[key] = n;
        }
        return table;
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
        Tensor max = x.abs().amax(BLOCK_DIM, false);
        Tensor scale = max.masked_fill(max.eq(ZERO), ONE);
        Tensor scaled = x.div(scale.unsqueeze(1)).view(-1);
        // NaN has no bucket: the clamp keeps its key inside the table (the parameter shows the NaN anyway).
        Tensor key = scaled.view(torch.ScalarType.Int).bitwise_right_shift(SHIFT).add_(OFFSET).clamp_(FIRST_KEY, LAST_KEY);
        Tensor lower = below.index_select(0, key);
        Tensor above = scaled.gt(midpoints.index_select(0, lower));
        // The final sum in uint8, a quarter of the memory traffic of int32.
        long n = codes.numel();
        codes.copy_(lower.narrow(0, 0, n)).add_(above.narrow(0, 0, n));
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
