package dev.lycoris4j.train.trainer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** diffusers' schedule formulas, worked by hand. */
class LrScheduleTest {

    @Test
    void warmUpRisesLinearlyFromZeroThenTheScheduleRuns() {
        LrSchedule constant = new LrSchedule(LrSchedule.Kind.CONSTANT_WITH_WARMUP, 4, 100);
        double[] expected = {0, 0.25, 0.5, 0.75, 1, 1};
        for (int k = 0; k < expected.length; k++) assertThat(constant.factor(k)).isEqualTo(expected[k]);
        assertThat(new LrSchedule(LrSchedule.Kind.CONSTANT, 0, 100).factor(0)).isEqualTo(1.0);

        // cosine, warm-up 2, 10 steps: progress (k − 2) / 8 → 0.5·(1 + cos(π·progress))
        LrSchedule cosine = new LrSchedule(LrSchedule.Kind.COSINE, 2, 10);
        assertThat(cosine.factor(1)).isEqualTo(0.5);
        assertThat(cosine.factor(2)).isEqualTo(1.0);
        assertThat(cosine.factor(4)).isCloseTo((1 + Math.sqrt(0.5)) / 2, within(1e-15));
        assertThat(cosine.factor(6)).isCloseTo(0.5, within(1e-15));
        assertThat(cosine.factor(10)).isCloseTo(0.0, within(1e-15));

        // linear, no warm-up, 4 steps: (4 − k) / 4
        LrSchedule linear = new LrSchedule(LrSchedule.Kind.LINEAR, 0, 4);
        for (int k = 0; k <= 4; k++) assertThat(linear.factor(k)).isEqualTo((4 - k) / 4.0);
    }

    @Test
    void kohyaNamesParse() {
        assertThat(LrSchedule.Kind.parse("constant_with_warmup")).isEqualTo(LrSchedule.Kind.CONSTANT_WITH_WARMUP);
        assertThat(LrSchedule.Kind.parse("Cosine")).isEqualTo(LrSchedule.Kind.COSINE);
        assertThatThrownBy(() -> LrSchedule.Kind.parse("polynomial"))
                .hasMessageContaining("unknown lr_scheduler 'polynomial'");
    }
}
