package dev.lycoris4j.eval.analysis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** transform_nt and the summary numbers on a hand-made explanation. */
class ShapResultTest {
    private static ShapResult example() {
        double[][] features = {{0, 1, 10, 2, 1}, {3, 1, 30, 4, 2}};
        double[][] shap = {{0.1, -0.2, 0.0, 0.3, -0.1}, {0.2, 0.1, -0.1, 0.4, 0.05}};
        return new ShapResult(features, new double[] {0.5, 1.0}, shap, new double[] {0.5, 0.5},
                new double[] {0.6, 1.15});
    }

    @Test
    void foldingMovesCapacityIntoAlgoForFullFineTuningOnly() {
        ShapResult folded = example().foldFullFineTuning(new boolean[] {false, true});
        assertThat(folded.shap()[0]).containsExactly(0.1, -0.2, 0.0, 0.3, -0.1);
        assertThat(folded.features()[0][ShapFeatures.CAPACITY]).isEqualTo(2);
        // row 1: Algo 0.2 + Capacity 0.4 = 0.6 (up to the rounding of 0.2 + 0.4); Capacity 0, value NaN
        assertThat(folded.shap()[1][ShapFeatures.ALGO]).isEqualTo(0.2 + 0.4);
        assertThat(folded.shap()[1][ShapFeatures.CAPACITY]).isZero();
        assertThat(folded.features()[1][ShapFeatures.CAPACITY]).isNaN();
        // the original is untouched
        assertThat(example().shap()[1][ShapFeatures.CAPACITY]).isEqualTo(0.4);
    }

    @Test
    void meanAbsoluteShapAndRmse() {
        ShapResult r = example();
        assertThat(r.meanAbs(ShapFeatures.PRESET)).isEqualTo((0.2 + 0.1) / 2);
        // errors 0.1 and 0.15: √((0.01 + 0.0225) / 2)
        assertThat(r.rmse()).isCloseTo(Math.sqrt((0.01 + 0.0225) / 2), within(1e-15));
    }
}
