package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.modules.DeltaAdapter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden cases of DoRA ({@code weight_decompose}) on LoRA, LoCon, LoHa and LoKr, both conventions. */
class DoraCasesTest extends DeltaCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("lora+dora_wd", "locon+dora_wd", "loha+dora_wd", "lokr+dora_wd");
    }

    @Override Class<? extends DeltaAdapter> expectedType() { return DeltaAdapter.class; }

    /** The convention is read from dora_scale's shape, so on-input files load (the reference's loader fails). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conventionReadFromTheFile(GoldenCase c) {
        String expected = c.moduleFacts().get("wd_on_out").asBoolean() ? "per_output_row" : "per_input_column";
        assertThat(c.load().hyperParameters()).containsEntry("dora", expected);
    }

    /** The plain low-rank ΔW (no magnitude step) is the reference's get_diff_weight for these cases. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plainDeltaIsTheLowRankPart(GoldenCase c) {
        DeltaAdapter a = (DeltaAdapter) c.load();
        c.assertClose("low-rank ΔW", a.deltaWeight(), c.tensor("io.delta_w_get_diff_weight"));
    }
}
