package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.modules.DiagOftAdapter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Golden cases of Diag-OFT (Linear with and without bias, conv, constraint, rescale, multiplier 0.5, block size 6). */
class OftCasesTest extends GoldenCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("diag-oft");
    }

    @Override Class<? extends Adapter> expectedType() { return DiagOftAdapter.class; }

    /** Block geometry and the constraint (applied as constraint·out) as the reference module reports them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void geometryAndConstraint(GoldenCase c) {
        DiagOftAdapter a = (DiagOftAdapter) c.load();
        assertThat(a.geometry().blockSize()).isEqualTo(c.moduleFacts().get("block_size").asInt());
        assertThat(a.geometry().blockNum()).isEqualTo(c.moduleFacts().get("block_num").asInt());
        assertThat(a.rescaled()).isEqualTo(c.moduleFacts().get("rescaled").asBoolean());
        assertThat(a.constraint() * c.layer().weightShape()[0])
                .isCloseTo(c.moduleFacts().get("constraint").asDouble(), within(1e-6));
    }

    /**
     * The bypass rotates the output including the bias, as the reference's (spec §8 #5): it matches
     * {@code io.y_bypass} wherever the reference ran it, and the merged forward when there is no bias.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bypassRotatesTheOutputIncludingTheBias(GoldenCase c) {
        Adapter a = c.load();
        if (c.has("io.y_bypass")) c.checkBypass(a, "io.y_bypass");
        if (c.bias() == null) c.checkBypass(a, "io.y");
        checkBypassOnBiasFreeOutput(c, a);
    }
}
