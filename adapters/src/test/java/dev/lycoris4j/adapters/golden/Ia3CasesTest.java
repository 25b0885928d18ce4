package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.modules.Ia3Adapter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden cases of (IA)³ on the output and on the input, Linear and conv. The reference cannot reload these; we do. */
class Ia3CasesTest extends GoldenCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("ia3");
    }

    @Override Class<? extends Adapter> expectedType() { return Ia3Adapter.class; }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sideReadFromOnInput(GoldenCase c) {
        assertThat(((Ia3Adapter) c.load()).onInput()).isEqualTo(c.moduleFacts().get("train_input").asBoolean());
        assertThat(c.libraryChecks().get("reload").asText()).as("the reference's own reload").startsWith("error");
    }

    /**
     * Reference semantics: on the output the whole output, bias included, is scaled (spec §8 #7); on the input
     * the bypass is the merged forward.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bypass(GoldenCase c) {
        Adapter a = c.load();
        c.checkBypass(a, "io.y_bypass");
        if (((Ia3Adapter) a).onInput()) c.checkBypass(a, "io.y");
        else checkBypassOnBiasFreeOutput(c, a);
    }
}
