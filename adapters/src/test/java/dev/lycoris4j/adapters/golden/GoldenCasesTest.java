package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden checks shared by every family: detection, the state dict as the file stores it, ΔW (and Δb) at
 * multiplier 1, the merged forward at the case multiplier, and a reload of our own saved file. Bypass semantics
 * differ per family and are tested in the subclasses ({@link DeltaCasesTest} for the ΔW group). Subclasses supply
 * a static {@code cases()}.
 */
abstract class GoldenCasesTest {
    @TempDir Path tmp;

    abstract Class<? extends Adapter> expectedType();

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void detectedAsTheReferenceAndStateDictIsTheFile(GoldenCase c) {
        Adapter a = c.load();
        assertThat(a).isInstanceOf(expectedType());
        c.checkStateDictMatchesFile(a);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void deltaAtMultiplierOne(GoldenCase c) {
        c.checkDeltaAtMultiplierOne(c.load());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mergedForward(GoldenCase c) {
        c.checkMergedForward(c.load());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reloadsIdentically(GoldenCase c) {
        c.checkReload(c.load(), tmp);
    }

    /**
     * For the output-transforming bypasses: with a bias-free output as the inner, the bypass must give the merged
     * forward without bias, {@code op(x, W + ΔW)} with the golden ΔW at the case multiplier — the check for cases
     * whose reference bypass crashed or was not recorded.
     */
    static void checkBypassOnBiasFreeOutput(GoldenCase c, Adapter a) {
        LayerSpec layer = c.layer();
        Tensor dw = c.tensor(c.has("io.delta_w_at_multiplier") ? "io.delta_w_at_multiplier" : "io.delta_w");
        Tensor inner = layer.apply(c.x(), c.weight(), null);
        Tensor expected = layer.apply(c.x(), c.weight().add(dw), null);
        c.assertClose("bypass on a bias-free output", a.bypassForward(c.x(), inner, c.weight(), null, c.multiplier()),
                expected);
    }
}
