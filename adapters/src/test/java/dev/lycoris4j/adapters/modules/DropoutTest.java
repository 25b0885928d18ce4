package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.lycoris4j.adapters.modules.Fixtures.config;
import static dev.lycoris4j.adapters.modules.Fixtures.linear;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** dropout, rank_dropout (with its scale) and module_dropout: active in training only (spec §1). */
class DropoutTest {
    private static final LayerSpec LIN = linear(16, 24);

    private static AdapterConfig.Builder withDropouts(Algorithm a, double p, boolean scale) {
        return config(a, 8, 4).dropout(p).rankDropout(p).rankDropoutScale(scale).moduleDropout(p);
    }

    private static Adapter adapter(AdapterConfig c) {
        return Fixtures.randomized("m", LIN, c, null);
    }

    @ParameterizedTest
    @EnumSource(names = {"LORA", "LOHA", "LOKR"})
    void inactiveOutsideTraining(Algorithm algorithm) {
        torch.manual_seed(1);
        Adapter a = adapter(withDropouts(algorithm, 0.5, true).factor(4).build());
        // the same tensors without any dropout configured (a loaded adapter has none)
        Adapter plain = AdapterFormats.load("m", LIN, a.stateDict());
        Tensor w = torch.randn(24, 16), b = torch.randn(24), x = torch.randn(5, 16);
        a.setTraining(false);
        Tensor y = a.forward(x, w, b, 0.8);
        assertThat(torch.equal(a.forward(x, w, b, 0.8), y)).isTrue();
        assertThat(Tensors.maxAbsDiff(y, plain.forward(x, w, b, 0.8))).isLessThan(1e-5);
        Tensor inner = LIN.apply(x, w, b);
        assertThat(Tensors.maxAbsDiff(a.bypassForward(x, inner, w, b, 0.8), plain.bypassForward(x, inner, w, b, 0.8)))
                .isLessThan(1e-5);
    }

    @ParameterizedTest
    @EnumSource(names = {"LORA", "LOHA", "LOKR"})
    void moduleDropoutOneSkipsTheAdapterInTraining(Algorithm algorithm) {
        torch.manual_seed(2);
        Adapter a = adapter(config(algorithm, 8, 4).moduleDropout(1.0).factor(4).build());
        a.setTraining(true);
        Tensor w = torch.randn(24, 16), b = torch.randn(24), x = torch.randn(5, 16);
        Tensor base = LIN.apply(x, w, b);
        assertThat(torch.equal(a.forward(x, w, b, 1.0), base)).isTrue();
        assertThat(torch.equal(a.bypassForward(x, base, w, b, 1.0), base)).isTrue();
        a.setTraining(false);
        assertThat(Tensors.maxAbsDiff(a.forward(x, w, b, 1.0), base)).as("the adapter acts outside training")
                .isGreaterThan(1e-3);
    }

    /** Rank dropout with {@code rank_dropout_scale} keeps the expected output; without, it scales it by 1 − p. */
    @ParameterizedTest
    @EnumSource(names = {"LORA", "LOHA", "LOKR"})
    void rankDropoutKeepsTheExpectationWhenScaled(Algorithm algorithm) {
        // same seed, same draws: the two adapters hold identical tensors and differ only in rank_dropout_scale
        torch.manual_seed(3);
        Adapter scaled = adapter(config(algorithm, 8, 4).rankDropout(0.5).rankDropoutScale(true).factor(4).build());
        torch.manual_seed(3);
        Adapter unscaled = adapter(config(algorithm, 8, 4).rankDropout(0.5).factor(4).build());
        Adapter plain = AdapterFormats.load("m", LIN, scaled.stateDict());
        Tensor w = torch.randn(24, 16), x = torch.randn(5, 16);
        Tensor base = LIN.apply(x, w, null);
        Tensor expected = plain.forward(x, w, null, 1.0).sub(base);
        scaled.setTraining(true);
        unscaled.setTraining(true);
        for (boolean bypass : new boolean[] {false, true}) {
            assertThat(relativeError(meanDelta(scaled, x, w, base, bypass, 400), expected))
                    .as("scaled, bypass " + bypass).isLessThan(0.1);
            assertThat(relativeError(meanDelta(unscaled, x, w, base, bypass, 400), expected.mul(new Scalar(0.5))))
                    .as("unscaled, bypass " + bypass).isLessThan(0.1);
        }
        assertThat(Tensors.maxAbsDiff(scaled.forward(x, w, null, 1.0), scaled.forward(x, w, null, 1.0)))
                .as("the masks are drawn per call").isGreaterThan(0.0);
    }

    /** The reference's LoCon merged rank dropout removes whole rows of ΔW; the rest are rescaled together. */
    @Test
    void mergedRankDropoutDropsWholeRows() {
        torch.manual_seed(4);
        Adapter a = adapter(config(Algorithm.LORA, 8, 4).rankDropout(0.5).rankDropoutScale(true).build());
        Tensor w = torch.zeros(24, 16);
        Tensor full = ((DeltaAdapter) a).deltaWeight();
        a.setTraining(true);
        Tensor dropped = a.mergedWeights(w, null, 1.0).weight();
        int zero = 0, kept = 0;
        double ratio = Double.NaN;
        for (int row = 0; row < 24; row++) {
            Tensor d = dropped.select(0, row), f = full.select(0, row);
            if (d.abs().max().item_double() == 0) {
                zero++;
                continue;
            }
            kept++;
            double r = d.div(f).mean().item_double();
            assertThat(Tensors.maxAbsDiff(d, f.mul(new Scalar(r)))).isLessThan(1e-5);
            if (!Double.isNaN(ratio)) assertThat(r).isCloseTo(ratio, within(1e-5));
            ratio = r;
        }
        assertThat(zero).isPositive();
        assertThat(kept).isPositive();
        assertThat(ratio).as("kept rows are divided by the mask's mean").isCloseTo(24.0 / kept,
                within(1e-4));
    }

    /** {@code dropout} zeroes elements of the bypass contribution during training and keeps its expectation. */
    @Test
    void outputDropoutInBypass() {
        torch.manual_seed(5);
        Adapter a = adapter(config(Algorithm.LORA, 8, 4).dropout(0.5).build());
        Tensor w = torch.randn(24, 16), x = torch.randn(5, 16);
        Tensor base = LIN.apply(x, w, null);
        Tensor expected = a.bypassForward(x, base, w, null, 1.0).sub(base);
        a.setTraining(true);
        Tensor once = a.bypassForward(x, base, w, null, 1.0).sub(base);
        double zeroFraction = once.eq(new Scalar(0.0)).to(torch.ScalarType.Float).mean().item_double();
        assertThat(zeroFraction).isBetween(0.3, 0.7);
        assertThat(relativeError(meanDelta(a, x, w, base, true, 400), expected)).isLessThan(0.1);
    }

    private static Tensor meanDelta(Adapter a, Tensor x, Tensor w, Tensor base, boolean bypass, int n) {
        Tensor sum = torch.zeros_like(base);
        for (int i = 0; i < n; i++) {
            Tensor y = bypass ? a.bypassForward(x, base, w, null, 1.0) : a.forward(x, w, null, 1.0);
            sum = sum.add(y.sub(base));
        }
        return sum.div(new Scalar(n));
    }

    private static double relativeError(Tensor got, Tensor expected) {
        return got.sub(expected).norm().item_double() / expected.norm().item_double();
    }
}
