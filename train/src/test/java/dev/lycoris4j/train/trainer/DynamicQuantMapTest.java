package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * bitsandbytes' dynamic maps against entries worked by hand from {@code create_dynamic_map}'s formula (for exponent
 * i, the midpoints of linspace(0.1, 1, k + 1) times 10^(i-6), k = 2^i per sign or 2^(i+1) unsigned), and blockwise
 * quantisation against its error bound and a brute-force nearest-code search.
 */
class DynamicQuantMapTest {
    private static final int BLOCK = AdamW8bitOptimizer.BLOCK_SIZE;

    /** Entries agree with the double formula to float32 rounding. */
    private static void assertEntry(float[] map, int index, double expected) {
        assertThat((double) map[index]).as("entry %d", index).isCloseTo(expected, within(Math.abs(expected) * 1e-7 + 1e-12));
    }

    private static void assertAscending(float[] map) {
        assertThat(map).hasSize(256);
        for (int k = 1; k < map.length; k++) assertThat(map[k]).as("entry %d", k).isGreaterThan(map[k - 1]);
    }

    private static double maxGap(float[] map) {
        double gap = 0;
        for (int k = 1; k < map.length; k++) gap = Math.max(gap, (double) map[k] - map[k - 1]);
        return gap;
    }

    /** Positive entries in [0.1, 1) · 10^(i-6): the entries of exponent i. */
    private static int entriesOfExponent(float[] map, int i) {
        double scale = Math.pow(10, i - 6);
        int n = 0;
        for (float v : map) if (v >= 0.1 * scale * (1 - 1e-6) && v < scale * (1 - 1e-6)) n++;
        return n;
    }

    @Test
    void theSignedMapIsBitsandbytesDynamicMap() {
        float[] map = DynamicQuantMap.SIGNED.values();
        assertAscending(map);
        // 127 negatives, 0, 127 positives, 1: zero sits at index 127
        assertEntry(map, 127, 0);
        assertEntry(map, 255, 1.0);
        // exponent 6 has 64 means of linspace(0.1, 1, 65): 0.1 + 0.9·(j + ½)/64; the largest two are j = 63, 62
        assertEntry(map, 254, 0.99296875);
        assertEntry(map, 253, 0.97890625);
        assertEntry(map, 0, -0.99296875); // no -1: the signed map's lowest entry is the largest mean, negated
        // exponent 0: one mean, (0.1 + 1)/2 · 1e-6; exponent 1: the two means of linspace(0.1, 1, 3), · 1e-5
        assertEntry(map, 128, 0.55e-6);
        assertEntry(map, 129, 0.325e-5);
        assertEntry(map, 130, 0.775e-5);
        for (int k = 1; k <= 127; k++) assertThat(map[127 - k]).as("mirror of %d", 127 + k).isEqualTo(-map[127 + k]);
        for (int i = 0; i < 7; i++) assertThat(entriesOfExponent(map, i)).as("exponent %d", i).isEqualTo(1 << i);
        // the widest gap is between neighbouring means of exponent 6
        assertThat(maxGap(map)).isCloseTo(0.9 / 64, within(1e-7));
    }

    @Test
    void theUnsignedMapSpendsTheSignBitOnFraction() {
        float[] map = DynamicQuantMap.UNSIGNED.values();
        assertAscending(map);
        assertEntry(map, 0, 0);
        assertEntry(map, 1, 0.325e-6);
        assertEntry(map, 2, 0.775e-6);
        assertEntry(map, 255, 1.0);
        // exponent 6 has 128 means: 0.1 + 0.9·(j + ½)/128
        assertEntry(map, 254, 0.996484375);
        assertEntry(map, 253, 0.989453125);
        for (int i = 0; i < 7; i++) assertThat(entriesOfExponent(map, i)).as("exponent %d", i).isEqualTo(2 << i);
        assertThat(maxGap(map)).isCloseTo(0.9 / 128, within(1e-7));
    }

    /** Blocks of normal values at scales from 1e-6 to 1e2, an all-zero block and a partial last block of 37. */
    private static float[] values(boolean signed) {
        Random rng = new Random(7);
        int blocks = 7;
        float[] x = new float[(blocks - 1) * BLOCK + 37];
        for (int i = 0; i < x.length; i++) {
            int block = i / BLOCK;
            if (block == 3) continue;
            double v = rng.nextGaussian() * Math.pow(10, block - 4);
            x[i] = (float) (signed ? v : v * v);
        }
        return x;
    }

    private static void checkRoundTrip(DynamicQuantMap map, boolean signed) {
        float[] x = values(signed);
        int n = x.length;
        int blocks = (int) DynamicQuantMap.blocks(n, BLOCK);
        assertThat(blocks).isEqualTo(7);
        float[] padded = new float[blocks * BLOCK];
        System.arraycopy(x, 0, padded, 0, n);
        Tensor codes = torch.zeros(new long[] {n}, Tensors.options(DType.U8));
        Tensor absmax = torch.zeros(new long[] {blocks}, Tensors.options(DType.F32));
        map.quantize(Tensors.fromFloats(padded, blocks, BLOCK), codes, absmax);
        float[] back = Tensors.toFloats(map.dequantize(codes, absmax, BLOCK));
        long[] index = Tensors.toLongs(codes);
        float[] scales = Tensors.toFloats(absmax);
        float[] entries = map.values();
        double halfGap = maxGap(entries) / 2;

        assertThat(back).hasSize(blocks * BLOCK);
        for (int i = n; i < back.length; i++) assertThat(back[i]).as("padding %d", i).isZero();
        for (int b = 0; b < blocks; b++) {
            float max = 0;
            for (int i = b * BLOCK; i < Math.min(n, (b + 1) * BLOCK); i++) max = Math.max(max, Math.abs(x[i]));
            // an all-zero block is scaled by 1, as bitsandbytes' reference does
            assertThat(scales[b]).as("absmax of block %d", b).isEqualTo(max == 0 ? 1f : max);
        }
        for (int i = 0; i < n; i++) {
            float scale = scales[i / BLOCK];
            double error = Math.abs(back[i] - x[i]);
            assertThat(error).as("value %d", i).isLessThanOrEqualTo(scale * halfGap * (1 + 1e-5));
            // the chosen entry is a nearest one to x / absmax
            double scaled = x[i] / scale;
            double best = Double.MAX_VALUE;
            for (float e : entries) best = Math.min(best, Math.abs(scaled - e));
            assertThat(Math.abs(scaled - entries[(int) index[i]])).as("code of value %d", i).isCloseTo(best, within(1e-7));
        }
        // the all-zero block comes back zero
        for (int i = 3 * BLOCK; i < 4 * BLOCK; i++) assertThat(back[i]).isZero();
    }

    @Test
    void signedBlockwiseQuantisationIsWithinHalfTheWidestGapOfEachBlocksAbsmax() {
        checkRoundTrip(DynamicQuantMap.SIGNED, true);
    }

    @Test
    void unsignedBlockwiseQuantisationIsWithinHalfTheWidestGapOfEachBlocksAbsmax() {
        checkRoundTrip(DynamicQuantMap.UNSIGNED, false);
    }

    @Test
    void freshZeroStateDequantisesToZero() {
        Tensor codes = torch.zeros(new long[] {300}, Tensors.options(DType.U8));
        Tensor absmax = torch.zeros(new long[] {2}, Tensors.options(DType.F32));
        for (float v : Tensors.toFloats(DynamicQuantMap.SIGNED.dequantize(codes, absmax, BLOCK))) assertThat(v).isZero();
    }
}
