package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.modules.NormAdapter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

/** Golden cases of Norm on LayerNorm (multiplier 1 and 0.5) and GroupNorm. */
class NormCasesTest extends GoldenCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("norm");
    }

    @Override Class<? extends Adapter> expectedType() { return NormAdapter.class; }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void biasDeltaAtTheCaseMultiplier(GoldenCase c) {
        Adapter a = c.load();
        String key = c.has("io.delta_b_at_multiplier") ? "io.delta_b_at_multiplier" : "io.delta_b";
        c.assertClose("Δb at the case multiplier", a.mergedWeights(c.weight(), c.bias(), c.multiplier()).bias().sub(c.bias()),
                c.tensor(key));
    }

    /** A norm is affine in its parameters, so the bypass is the merged forward. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bypassIsTheMergedForward(GoldenCase c) {
        c.checkBypass(c.load(), "io.y");
    }
}
