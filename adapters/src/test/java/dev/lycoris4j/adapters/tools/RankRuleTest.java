package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.tools.RankRule.Mode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rank rules of spec §5.1, on σ = (4, 3, 2, 1) worked by hand. */
class RankRuleTest {
    private static final double[] SIGMA = {4, 3, 2, 1};

    @Test
    void fixedIsTheParameterClampedToOneAndTheMaximum() {
        assertThat(new RankRule(Mode.FIXED, 2, 3).rank(SIGMA, false, 4)).isEqualTo(2);
        assertThat(new RankRule(Mode.FIXED, 2, 3).rank(SIGMA, true, 4)).isEqualTo(3);
        assertThat(new RankRule(Mode.FIXED, 9, 9).rank(SIGMA, false, 4)).isEqualTo(4);
    }

    @Test
    void thresholdCountsSingularValuesAboveIt() {
        assertThat(new RankRule(Mode.THRESHOLD, 2.5, 0).rank(SIGMA, false, 4)).isEqualTo(2);
        assertThat(new RankRule(Mode.THRESHOLD, 2.5, 0).rank(SIGMA, true, 4)).isEqualTo(4);
        // 2 is not above 2; nothing above 10 still gives rank 1.
        assertThat(new RankRule(Mode.THRESHOLD, 2, 10).rank(SIGMA, false, 4)).isEqualTo(2);
        assertThat(new RankRule(Mode.THRESHOLD, 2, 10).rank(SIGMA, true, 4)).isEqualTo(1);
    }

    @Test
    void ratioCountsSingularValuesAboveItsShareOfTheLargest() {
        // 0.6·4 = 2.4 → {4, 3}; 0.2·4 = 0.8 → all four, clamped to 3.
        assertThat(new RankRule(Mode.RATIO, 0.6, 0.2).rank(SIGMA, false, 4)).isEqualTo(2);
        assertThat(new RankRule(Mode.RATIO, 0.6, 0.2).rank(SIGMA, true, 3)).isEqualTo(3);
    }

    @Test
    void quantileCountsPartialSumsBelowItsShareOfTheTotal() {
        // Σσ = 10, partial sums 4, 7, 9, 10: q = 0.75 → 4 and 7 are below 7.5; q = 0.4 → none below 4 → 1.
        assertThat(new RankRule(Mode.QUANTILE, 0.75, 0.4).rank(SIGMA, false, 4)).isEqualTo(2);
        assertThat(new RankRule(Mode.QUANTILE, 0.75, 0.4).rank(SIGMA, true, 4)).isEqualTo(1);
        assertThat(new RankRule(Mode.QUANTILE, 1.0, 1.0).rank(SIGMA, false, 4)).isEqualTo(3);
    }

    @Test
    void badParametersAreRefusedWithTheModeAndTheValue() {
        assertThatThrownBy(() -> new RankRule(Mode.FIXED, 0.5, 1)).hasMessageContaining("fixed mode")
                .hasMessageContaining("linear").hasMessageContaining("0.5");
        assertThatThrownBy(() -> new RankRule(Mode.RATIO, 0.5, 1.5)).hasMessageContaining("conv")
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> new RankRule(Mode.THRESHOLD, -1, 0)).hasMessageContaining("≥ 0");
        assertThatThrownBy(() -> RankRule.full().rank(SIGMA, false, 4)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Mode.parse("best")).hasMessageContaining("unknown mode 'best'");
        assertThat(Mode.parse("percentile")).isEqualTo(Mode.QUANTILE);
    }
}
