package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import static dev.lycoris4j.adapters.modules.Fixtures.config;
import static dev.lycoris4j.adapters.modules.Fixtures.conv2d;
import static dev.lycoris4j.adapters.modules.Fixtures.input;
import static dev.lycoris4j.adapters.modules.Fixtures.linear;
import static dev.lycoris4j.adapters.modules.Fixtures.randn;
import static dev.lycoris4j.adapters.modules.Fixtures.randomized;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bypass versus merged forward on random adapters, for OFT, BOFT, IA3, GLoRA, DyLoRA and Norm: equal where
 * the bypass is the merged forward mathematically, and different exactly where the documented reference
 * semantics say so (output-side transforms that include the bias).
 */
class OtherBypassTest {
    private static final double M = 0.7;

    /** bypass(x, base output) against the merged forward, with the layer's bias or none. */
    private static double gap(Adapter a, Tensor w, Tensor b) {
        Tensor x = input(a.layer());
        Tensor inner = a.layer().apply(x, w, b);
        return Tensors.maxAbsDiff(a.bypassForward(x, inner, w, b, M), a.forward(x, w, b, M));
    }

    private static LayerSpec.Conv strided() {
        return conv2d(8, 12, 3, 2, 0, 1);
    }

    @Test
    void ia3OnTheInputIsTheMergedForward() {
        torch.manual_seed(11);
        for (LayerSpec layer : new LayerSpec[] {linear(10, 12), strided()}) {
            Adapter a = randomized("m", layer, config(Algorithm.IA3, 0, 0).trainOnInput(true).build(), null);
            assertThat(gap(a, randn(layer.weightShape()), randn(12))).as("%s", layer).isLessThan(1e-4);
        }
    }

    @Test
    void ia3OnTheOutputScalesTheBiasToo() {
        torch.manual_seed(12);
        for (LayerSpec layer : new LayerSpec[] {linear(10, 12), strided()}) {
            Adapter a = randomized("m", layer, config(Algorithm.IA3, 0, 0).build(), null);
            Tensor w = randn(layer.weightShape());
            assertThat(gap(a, w, null)).as("%s without bias", layer).isLessThan(1e-4);
            assertThat(gap(a, w, randn(12))).as("%s with bias", layer).isGreaterThan(1e-3);
        }
    }

    /** OFT and BOFT (rescaled, constrained too): bypass = merged without bias; the bias is rotated with it otherwise. */
    @Test
    void orthogonalBypassesEqualTheMergedForwardWithoutBias() {
        torch.manual_seed(13);
        for (Algorithm alg : new Algorithm[] {Algorithm.DIAG_OFT, Algorithm.BOFT}) {
            for (LayerSpec layer : new LayerSpec[] {linear(10, 12), strided()}) {
                for (boolean rescaled : new boolean[] {false, true}) {
                    Adapter a = randomized("m", layer,
                            config(alg, alg == Algorithm.BOFT ? 6 : 4, 0).rescaled(rescaled).constraint(0.05).build(), null);
                    Tensor w = randn(layer.weightShape());
                    assertThat(gap(a, w, null)).as("%s %s rescaled %s", alg, layer, rescaled).isLessThan(1e-4);
                    assertThat(gap(a, w, randn(12))).as("%s %s rescaled %s with bias", alg, layer, rescaled)
                            .isGreaterThan(1e-3);
                }
            }
        }
    }

    /** GLoRA's bypass is the merged forward for any alpha (the reference's needs alpha = r), strided conv included. */
    @Test
    void gloraBypassIsTheMergedForward() {
        torch.manual_seed(14);
        for (LayerSpec layer : new LayerSpec[] {linear(10, 12), strided()}) {
            for (double alpha : new double[] {4, 2}) {
                Adapter a = randomized("m", layer, config(Algorithm.GLORA, 4, alpha).build(), null);
                assertThat(gap(a, randn(layer.weightShape()), randn(12))).as("%s alpha %s", layer, alpha).isLessThan(1e-4);
            }
        }
    }

    @Test
    void dyloraBypassIsTheMergedForward() {
        torch.manual_seed(15);
        for (LayerSpec layer : new LayerSpec[] {linear(10, 12), strided()}) {
            Adapter a = randomized("m", layer, config(Algorithm.DYLORA, 4, 2).blockSize(2).build(), null);
            assertThat(gap(a, randn(layer.weightShape()), randn(12))).as("%s", layer).isLessThan(1e-4);
        }
    }

    @Test
    void normBypassIsTheMergedForward() {
        torch.manual_seed(16);
        LayerSpec ln = new LayerSpec.LayerNorm(new long[] {12}, 1e-5);
        Adapter a = randomized("m", ln, config(Algorithm.NORM, 0, 0).build(), null);
        Tensor x = randn(2, 3, 12), w = randn(12), b = randn(12);
        assertThat(Tensors.maxAbsDiff(a.bypassForward(x, ln.apply(x, w, b), w, b, M), a.forward(x, w, b, M)))
                .isLessThan(1e-4);
        LayerSpec gn = new LayerSpec.GroupNorm(3, 12, 1e-5);
        Adapter g = randomized("m", gn, config(Algorithm.NORM, 0, 0).build(), null);
        Tensor xg = randn(2, 12, 4, 4);
        assertThat(Tensors.maxAbsDiff(g.bypassForward(xg, gn.apply(xg, w, b), w, b, M), g.forward(xg, w, b, M)))
                .isLessThan(1e-4);
        // A norm without affine parameters counts as weight 1, bias 0.
        Tensor ones = torch.ones(12), zeros = torch.zeros(12);
        assertThat(Tensors.maxAbsDiff(a.forward(x, null, null, M), a.forward(x, ones, zeros, M))).isLessThan(1e-6);
    }
}
