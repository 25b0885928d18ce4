package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.modules.DeltaAdapter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Golden checks shared by the ΔW families (LoRA/LoCon, LoHa, LoKr, DoRA on each). Subclasses supply a static
 * {@code cases()} and the class the file must be detected as.
 */
abstract class DeltaCasesTest extends GoldenCasesTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scaledAsTheReference(GoldenCase c) {
        DeltaAdapter a = (DeltaAdapter) c.load();
        assertThat(a.scale()).as("scale").isCloseTo(c.moduleFacts().get("scale").asDouble(), within(1e-9));
        assertThat(a.hasDora()).as("DoRA").isEqualTo(c.moduleFacts().get("wd").asBoolean());
    }

    /**
     * Where the reference's bypass agrees with its forward we match {@code io.y_bypass}; where it is buggy
     * (LoKr without alpha/r or crashing on conv, DoRA ignored: spec §8 #2, #4) ours equals the merged forward.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bypassForward(GoldenCase c) {
        Adapter a = c.load();
        if (c.referenceBypassDiffers()) {
            c.checkBypass(a, "io.y");
        } else {
            c.checkBypass(a, "io.y_bypass");
            c.checkBypass(a, "io.y");
        }
    }

    /** LoHa/LoKr: the reference merges with scale² (spec §8 #1); we merge what the forward computes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mergeFollowsTheForwardNotTheScaleSquaredBug(GoldenCase c) {
        Adapter a = c.load();
        c.checkDeltaAtMultiplierOne(a);
        if (c.referenceMergeDiffers()) c.checkMergeDiffersFromBuggyReference(a);
    }
}
