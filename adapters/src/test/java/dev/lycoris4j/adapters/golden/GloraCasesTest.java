package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.functional.Glora;
import dev.lycoris4j.adapters.modules.GloraAdapter;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Golden cases of GLoRA (alpha = r and alpha = r/2 on Linear, alpha = r on conv). */
class GloraCasesTest extends GoldenCasesTest {
    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("glora");
    }

    @Override Class<? extends Adapter> expectedType() { return GloraAdapter.class; }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scaleAndRank(GoldenCase c) {
        GloraAdapter a = (GloraAdapter) c.load();
        assertThat(a.scale()).isCloseTo(c.moduleFacts().get("scale").asDouble(), within(1e-9));
        assertThat(a.rank()).isEqualTo(c.moduleFacts().get("lora_dim").asLong());
    }

    /**
     * Our bypass is the merged forward for every alpha. The reference's applies the scale twice (spec §8 #8),
     * so {@code io.y_bypass} agrees with it only where alpha = r; the functional increment with the
     * coefficient m·scale² reproduces the reference's value in every case.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bypassIsTheMergedForward(GoldenCase c) {
        GloraAdapter a = (GloraAdapter) c.load();
        c.checkBypass(a, "io.y");
        boolean alphaIsRank = a.scale() == 1.0;
        assertThat(c.referenceBypassDiffers()).as("reference bypass differs from its forward").isEqualTo(!alphaIsRank);
        if (alphaIsRank) c.checkBypass(a, "io.y_bypass");

        Map<String, Tensor> t = c.adapterTensors();
        double m = c.multiplier();
        Tensor referenceStyle = c.tensor("io.y_base").add(Glora.bypassIncrement(c.layer(), c.x(), c.weight(),
                t.get("a1.weight"), t.get("a2.weight"), t.get("b1.weight"), t.get("b2.weight"), m * a.scale() * a.scale(),
                null, null));
        c.assertClose("reference-style bypass (scale²)", referenceStyle, c.tensor("io.y_bypass"));
    }
}
