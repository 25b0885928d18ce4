package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Function;
import java.util.stream.Stream;

import static dev.lycoris4j.adapters.modules.Fixtures.config;
import static dev.lycoris4j.adapters.modules.Fixtures.conv;
import static dev.lycoris4j.adapters.modules.Fixtures.conv2d;
import static dev.lycoris4j.adapters.modules.Fixtures.linear;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bypass forward (through the factors) and the merged forward (W + m·ΔW) are two code paths for one
 * function: they must agree for every variant, with scale ≠ 1 and multiplier ≠ 1. Includes the conv LoKr
 * with a decomposed w2, on which the reference's bypass crashes (spec §2.4 bug 2), and DoRA.
 */
class BypassEquivalenceTest {
    private static final LayerSpec LIN = linear(12, 20);             // in 3·4, out 4·5
    private static final LayerSpec CONV3 = conv2d(6, 8, 3, 2, 1, 1);  // strided, padded
    private static final LayerSpec CONV_DIL = conv2d(6, 8, 3, 1, 2, 2);
    private static final LayerSpec CONV1 = conv2d(6, 8, 1, 1, 0, 1);
    private static final LayerSpec CONV1D = conv(6, 8, new long[] {3}, 1, 1);
    private static final LayerSpec CONV3D = conv(4, 6, new long[] {3, 1, 2}, 1, 1);

    private static Arguments v(String name, LayerSpec layer, Function<AdapterConfig.Builder, AdapterConfig.Builder> f,
                               Algorithm a, int dim, double alpha) {
        return Arguments.of(name, layer, f.apply(config(a, dim, alpha)).build());
    }

    static Stream<Arguments> variants() {
        Algorithm lora = Algorithm.LORA, loha = Algorithm.LOHA, lokr = Algorithm.LOKR;
        Function<AdapterConfig.Builder, AdapterConfig.Builder> plain = b -> b;
        return Stream.of(
                v("lora linear", LIN, plain, lora, 3, 2),
                v("lora linear rs_lora scalar", LIN, b -> b.rsLora(true).useScalar(true), lora, 4, 3),
                v("locon conv1x1", CONV1, plain, lora, 3, 5),
                v("locon conv3x3 stride2", CONV3, plain, lora, 3, 2),
                v("locon conv3x3 dilated", CONV_DIL, plain, lora, 3, 2),
                v("locon tucker", CONV3, b -> b.useTucker(true), lora, 3, 2),
                v("locon tucker dilated", CONV_DIL, b -> b.useTucker(true), lora, 2, 1),
                v("locon conv1d", CONV1D, plain, lora, 2, 1),
                v("locon conv3d tucker", CONV3D, b -> b.useTucker(true), lora, 2, 3),
                v("loha linear", LIN, plain, loha, 3, 5),
                v("loha linear scalar", LIN, b -> b.useScalar(true), loha, 2, 1),
                v("loha conv", CONV3, plain, loha, 2, 1),
                v("loha tucker", CONV3, b -> b.useTucker(true), loha, 2, 3),
                v("loha conv1d", CONV1D, plain, loha, 2, 1),
                v("lokr linear decomposed w2", LIN, plain, lokr, 1, 3),
                v("lokr linear decompose_both", LIN, b -> b.decomposeBoth(true), lokr, 1, 3),
                v("lokr linear full w2", LIN, plain, lokr, 8, 3),
                v("lokr linear full_matrix", LIN, b -> b.fullMatrix(true), lokr, 1, 3),
                v("lokr linear unbalanced", LIN, b -> b.unbalancedFactorization(true), lokr, 1, 3),
                v("lokr linear factor 2 scalar", LIN, b -> b.factor(2).useScalar(true), lokr, 1, 4),
                v("lokr conv decomposed w2", CONV3, plain, lokr, 1, 3),
                v("lokr conv decomposed w2 dilated", CONV_DIL, plain, lokr, 1, 3),
                v("lokr conv tucker", CONV3, b -> b.useTucker(true), lokr, 1, 3),
                v("lokr conv full w2", CONV3, plain, lokr, 8, 3),
                v("lokr conv unbalanced decompose_both", CONV3, b -> b.unbalancedFactorization(true).decomposeBoth(true), lokr, 1, 2),
                v("lokr conv1x1", CONV1, plain, lokr, 1, 3),
                v("lokr conv1d", CONV1D, plain, lokr, 1, 3),
                v("lokr conv3d tucker", CONV3D, b -> b.useTucker(true).factor(2), lokr, 1, 3),
                v("dora lora linear", LIN, b -> b.weightDecompose(true), lora, 3, 2),
                v("dora lora conv on input", CONV3, b -> b.weightDecompose(true).wdOnOutput(false), lora, 3, 2),
                v("dora loha linear on input", LIN, b -> b.weightDecompose(true).wdOnOutput(false), loha, 2, 1),
                v("dora lokr conv", CONV3, b -> b.weightDecompose(true), lokr, 1, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void bypassEqualsMerged(String name, LayerSpec layer, AdapterConfig c) {
        torch.manual_seed(name.hashCode());
        Tensor w = Fixtures.randn(layer.weightShape());
        Tensor b = Fixtures.randn(layer.weightShape()[0]);
        Adapter a = Fixtures.randomized("m", layer, c, w);
        Tensor x = Fixtures.input(layer);
        double m = 0.7;
        Tensor merged = a.forward(x, w, b, m);
        Tensor bypass = a.bypassForward(x, layer.apply(x, w, b), w, b, m);
        Tensor delta = merged.sub(layer.apply(x, w, b));
        assertThat(delta.abs().max().item_double()).as("the adapter changes the output").isGreaterThan(1e-2);
        assertThat(Tensors.maxAbsDiff(bypass, merged)).as(name).isLessThan(1e-4 * (1 + merged.abs().max().item_double()));
    }

    /** Conv layers also take unbatched (C, spatial…) inputs, as torch's convs do. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void unbatchedConvInput(String name, LayerSpec layer, AdapterConfig c) {
        if (!(layer instanceof LayerSpec.Conv)) return;
        torch.manual_seed(name.hashCode() + 1);
        Tensor w = Fixtures.randn(layer.weightShape());
        Adapter a = Fixtures.randomized("m", layer, c, w);
        Tensor x = Fixtures.input(layer).select(0, 0);
        Tensor merged = a.forward(x, w, null, 1.3);
        Tensor bypass = a.bypassForward(x, layer.apply(x, w, null), w, null, 1.3);
        assertThat(Tensors.maxAbsDiff(bypass, merged)).as(name).isLessThan(1e-4 * (1 + merged.abs().max().item_double()));
    }
}
