package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Each layer's forward against a hand-worked result or a naive Java loop written here. */
class LayerNumericsTest {

    private static float[] randomFloats(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static void assertClose(float[] actual, double[] expected, double tol) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(tol));
        }
    }

    @Test
    void linearOnHandWorkedNumbers() {
        try (var scope = new PointerScope()) {
            Linear l = new Linear(2, 3, true);
            l.loadStateDict(Map.of(
                    "weight", Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 3, 2),
                    "bias", Tensors.fromFloats(new float[] {0.5f, -1, 2}, 3)), true);
            Tensor y = l.forward(Tensors.fromFloats(new float[] {1, -1, 2, 0.5f}, 2, 2));
            // row 0: [1-2+0.5, 3-4-1, 5-6+2]; row 1: [2+1+0.5, 6+2-1, 10+3+2]
            assertThat(Tensors.toFloats(y)).containsExactly(-0.5f, -2f, 1f, 3.5f, 7f, 15f);
            assertThat(l.spec()).isEqualTo(new LayerSpec.Linear(2, 3));
        }
    }

    /** Conv of any rank as a 3-d conv with leading unit axes: x [n, c, d, h, w], w [o, c/g, kd, kh, kw]. */
    private static double[] naiveConv3d(float[] x, long[] xs, float[] w, long[] ws, float[] b,
                                        long[] stride, long[] pad, long[] dil, long groups, long[] outShape) {
        long n = xs[0], c = xs[1], o = ws[0], cg = ws[1];
        long[] in = {xs[2], xs[3], xs[4]};
        long[] k = {ws[2], ws[3], ws[4]};
        long[] out = new long[3];
        for (int i = 0; i < 3; i++) out[i] = (in[i] + 2 * pad[i] - dil[i] * (k[i] - 1) - 1) / stride[i] + 1;
        outShape[0] = n;
        outShape[1] = o;
        System.arraycopy(out, 0, outShape, 2, 3);
        double[] y = new double[(int) (n * o * out[0] * out[1] * out[2])];
        long og = o / groups;
        int idx = 0;
        for (long ni = 0; ni < n; ni++)
            for (long oi = 0; oi < o; oi++)
                for (long a = 0; a < out[0]; a++)
                    for (long bb = 0; bb < out[1]; bb++)
                        for (long cc = 0; cc < out[2]; cc++) {
                            double s = b == null ? 0 : b[(int) oi];
                            long g = oi / og;
                            for (long ci = 0; ci < cg; ci++)
                                for (long ka = 0; ka < k[0]; ka++)
                                    for (long kb = 0; kb < k[1]; kb++)
                                        for (long kc = 0; kc < k[2]; kc++) {
                                            long pa = a * stride[0] - pad[0] + ka * dil[0];
                                            long pb = bb * stride[1] - pad[1] + kb * dil[1];
                                            long pc = cc * stride[2] - pad[2] + kc * dil[2];
                                            if (pa < 0 || pb < 0 || pc < 0 || pa >= in[0] || pb >= in[1] || pc >= in[2]) continue;
                                            long xc = g * cg + ci;
                                            double xv = x[(int) ((((ni * c + xc) * in[0] + pa) * in[1] + pb) * in[2] + pc)];
                                            double wv = w[(int) ((((oi * cg + ci) * k[0] + ka) * k[1] + kb) * k[2] + kc)];
                                            s += xv * wv;
                                        }
                            y[idx++] = s;
                        }
        return y;
    }

    /** Pads a rank-r geometry to 3 axes with neutral leading entries. */
    private static long[] lead(long[] v, long fill) {
        long[] r = {fill, fill, fill};
        System.arraycopy(v, 0, r, 3 - v.length, v.length);
        return r;
    }

    private void checkConvAgainstNaive(LayerSpec.Conv spec, long[] spatial, long seed) {
        try (var scope = new PointerScope()) {
            ConvNd conv = new ConvNd(spec, true);
            long[] xShape = new long[2 + spatial.length];
            xShape[0] = 2;
            xShape[1] = spec.in();
            System.arraycopy(spatial, 0, xShape, 2, spatial.length);
            float[] x = randomFloats(seed, (int) Tensors.numel(xShape));
            float[] w = Tensors.toFloats(conv.weight());
            float[] b = Tensors.toFloats(conv.bias());

            Tensor y = conv.forward(Tensors.fromFloats(x, xShape));

            long[] ws = Tensors.shape(conv.weight());
            long[] xs5 = {xShape[0], xShape[1], 1, 1, 1};
            System.arraycopy(spatial, 0, xs5, 5 - spatial.length, spatial.length);
            long[] ws5 = {ws[0], ws[1], 1, 1, 1};
            System.arraycopy(ws, 2, ws5, 5 - spatial.length, spatial.length);
            long[] outShape = new long[5];
            double[] expected = naiveConv3d(x, xs5, w, ws5, b, lead(spec.stride(), 1), lead(spec.padding(), 0),
                    lead(spec.dilation(), 1), spec.groups(), outShape);
            long[] expectedShape = new long[2 + spatial.length];
            expectedShape[0] = outShape[0];
            expectedShape[1] = outShape[1];
            System.arraycopy(outShape, 5 - spatial.length, expectedShape, 2, spatial.length);

            assertThat(Tensors.shape(y)).containsExactly(expectedShape);
            assertClose(Tensors.toFloats(y), expected, 1e-4);
            assertThat(conv.typeName()).isEqualTo("Conv" + spatial.length + "d");
        }
    }

    @Test
    void conv2dWithStridePaddingDilationAndGroupsMatchesNaiveLoop() {
        // Unequal axes throughout, so a swapped axis cannot pass.
        checkConvAgainstNaive(new LayerSpec.Conv(4, 6, new long[] {3, 2}, new long[] {2, 1}, new long[] {1, 2},
                new long[] {1, 2}, 2), new long[] {7, 6}, 11);
    }

    @Test
    void conv1dAndConv3dMatchNaiveLoop() {
        checkConvAgainstNaive(new LayerSpec.Conv(3, 4, new long[] {3}, new long[] {2}, new long[] {1},
                new long[] {2}, 1), new long[] {9}, 12);
        checkConvAgainstNaive(new LayerSpec.Conv(2, 4, new long[] {2, 1, 3}, new long[] {1, 2, 1},
                new long[] {0, 1, 1}, new long[] {1, 1, 2}, 2), new long[] {3, 4, 5}, 13);
    }

    @Test
    void layerNormMatchesNaiveComputation() {
        try (var scope = new PointerScope()) {
            // Normalised over the trailing [2, 3] of a [2, 2, 3] input; non-trivial affine weights.
            LayerNorm ln = new LayerNorm(new long[] {2, 3}, 1e-3, true, Placement.cpu());
            float[] w = randomFloats(21, 6);
            float[] b = randomFloats(22, 6);
            ln.loadStateDict(Map.of("weight", Tensors.fromFloats(w, 2, 3), "bias", Tensors.fromFloats(b, 2, 3)), true);
            float[] x = randomFloats(23, 12);
            double[] expected = new double[12];
            for (int row = 0; row < 2; row++) {
                double mean = 0, var = 0;
                for (int i = 0; i < 6; i++) mean += x[row * 6 + i];
                mean /= 6;
                for (int i = 0; i < 6; i++) var += (x[row * 6 + i] - mean) * (x[row * 6 + i] - mean);
                var /= 6; // biased, as PyTorch normalises
                for (int i = 0; i < 6; i++) {
                    expected[row * 6 + i] = (x[row * 6 + i] - mean) / Math.sqrt(var + 1e-3) * w[i] + b[i];
                }
            }
            assertClose(Tensors.toFloats(ln.forward(Tensors.fromFloats(x, 2, 2, 3))), expected, 1e-5);

            LayerNorm plain = new LayerNorm(new long[] {3}, 1e-5, false, Placement.cpu());
            assertThat(plain.weight()).isNull();
            assertThat(plain.stateDict()).isEmpty();
            // [1, 2, 3]: mean 2, biased variance 2/3
            double s = Math.sqrt(2.0 / 3 + 1e-5);
            assertClose(Tensors.toFloats(plain.forward(Tensors.fromFloats(new float[] {1, 2, 3}, 1, 3))),
                    new double[] {-1 / s, 0, 1 / s}, 1e-6);
        }
    }

    @Test
    void groupNormMatchesNaiveComputation() {
        try (var scope = new PointerScope()) {
            int n = 2, c = 6, groups = 3, hw = 4 * 5;
            GroupNorm gn = new GroupNorm(groups, c, 1e-5);
            float[] w = randomFloats(31, c);
            float[] b = randomFloats(32, c);
            gn.loadStateDict(Map.of("weight", Tensors.fromFloats(w, c), "bias", Tensors.fromFloats(b, c)), true);
            float[] x = randomFloats(33, n * c * hw);
            double[] expected = new double[x.length];
            int perGroup = c / groups * hw;
            for (int ni = 0; ni < n; ni++) {
                for (int g = 0; g < groups; g++) {
                    int start = (ni * c + g * (c / groups)) * hw;
                    double mean = 0, var = 0;
                    for (int i = 0; i < perGroup; i++) mean += x[start + i];
                    mean /= perGroup;
                    for (int i = 0; i < perGroup; i++) var += (x[start + i] - mean) * (x[start + i] - mean);
                    var /= perGroup;
                    for (int i = 0; i < perGroup; i++) {
                        int ch = g * (c / groups) + i / hw;
                        expected[start + i] = (x[start + i] - mean) / Math.sqrt(var + 1e-5) * w[ch] + b[ch];
                    }
                }
            }
            assertClose(Tensors.toFloats(gn.forward(Tensors.fromFloats(x, n, c, 4, 5))), expected, 1e-5);
            assertThat(gn.typeName()).isEqualTo("GroupNorm");
        }
    }

    @Test
    void embeddingLooksUpRows() {
        try (var scope = new PointerScope()) {
            Embedding e = new Embedding(4, 3);
            float[] table = new float[12];
            for (int i = 0; i < 12; i++) table[i] = i;
            e.loadStateDict(Map.of("weight", Tensors.fromFloats(table, 4, 3)), true);
            Tensor y = e.forward(Tensors.fromLongs(new long[] {2, 0, 3, 3}, 2, 2));
            assertThat(Tensors.shape(y)).containsExactly(2, 2, 3);
            assertThat(Tensors.toFloats(y)).containsExactly(6, 7, 8, 0, 1, 2, 9, 10, 11, 9, 10, 11);
            assertThat(e.stateDict().keySet()).containsExactly("weight");
            assertThat(e.typeName()).isEqualTo("Embedding");
            assertThatThrownBy(() -> e.forward(Tensors.fromFloats(new float[] {1}, 1)))
                    .hasMessageContaining("must be integers");
        }
    }
}
