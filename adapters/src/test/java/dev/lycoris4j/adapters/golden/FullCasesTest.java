package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.modules.FullAdapter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden cases of Full (Linear and conv, with bias deltas). */
class FullCasesTest extends GoldenCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("full");
    }

    @Override Class<? extends Adapter> expectedType() { return FullAdapter.class; }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hasNoBypass(GoldenCase c) {
        Adapter a = c.load();
        assertThat(a.hasBypass()).isFalse();
        assertThatThrownBy(() -> a.bypassForward(c.x(), c.tensor("io.y_base"), c.weight(), c.bias(), 1.0))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("lycoris_layer")
                .hasMessageContaining("bypass");
    }
}
