package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.modules.BoftAdapter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Golden cases of BOFT (Linear out 48 and 32, conv, rescale, constraint, multiplier 0.5). */
class BoftCasesTest extends GoldenCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("boft");
    }

    @Override Class<? extends Adapter> expectedType() { return BoftAdapter.class; }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void geometryAndConstraint(GoldenCase c) {
        BoftAdapter a = (BoftAdapter) c.load();
        assertThat(a.geometry().blockSize()).isEqualTo(c.moduleFacts().get("boft_b").asInt());
        assertThat(a.geometry().blockNum()).isEqualTo(c.moduleFacts().get("block_num").asInt());
        assertThat(a.geometry().stages()).isEqualTo(c.moduleFacts().get("boft_m").asInt());
        assertThat(a.rescaled()).isEqualTo(c.moduleFacts().get("rescaled").asBoolean());
        assertThat(a.constraint() * c.layer().weightShape()[0])
                .isCloseTo(c.moduleFacts().get("constraint").asDouble(), within(1e-6));
    }

    /**
     * The module bypass of the reference raises; ours follows its functional {@code bypass_forward_diff}
     * ({@code io.y_bypass_functional}, output rotated including the bias), and with a bias-free output it is
     * the merged forward (which also covers the multiplier case, where the functional has no multiplier).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bypassFollowsTheFunctionalReference(GoldenCase c) {
        Adapter a = c.load();
        assertThat(c.referenceBypassDiffers()).as("the module bypass crashed in the reference").isTrue();
        if (c.has("io.y_bypass_functional")) c.checkBypass(a, "io.y_bypass_functional");
        checkBypassOnBiasFreeOutput(c, a);
    }
}
