package dev.lycoris4j.eval.analysis;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The whole analysis chain on {@link SyntheticResults}, whose answers are known: ranks of a metric that
 * is monotone in the lr level, and a regressor whose SHAP values put everything on Lr Level.
 */
class ShapSyntheticTest {
    /** Per leaf concept: 72 configurations × 2 seeds × 3 steps rows, a third of them per lr level. */
    private static final int N = 72 * 2 * 3;
    private static final int PER_LEVEL = N / 3;

    @TempDir
    static Path dir;
    private static ResultTable ranked;

    @BeforeAll
    static void read() throws IOException {
        Path metrics = SyntheticResults.write(dir);
        ResultTable table = ResultsReader.read(metrics, dir.resolve("config_mapping.csv"), null);
        ResultTable r = RankNormalization.apply(table);
        ranked = r.joinConfigs(r.configs());
    }

    /** Level l holds ranks (l−1)·k+1 .. l·k of n tied within the level: average rank (l−1)·k + (k+1)/2. */
    private static double expectedScaledRank(int level) {
        return ((level - 1) * PER_LEVEL + (PER_LEVEL + 1) / 2.0 - 1) / (N - 1);
    }

    @Test
    void ranksOfAMonotoneMetricAreKnown() {
        assertThat(ranked.rows()).hasSize(N * SyntheticResults.CONCEPTS.length);
        int similarity = ranked.metricIndex(MetricKey.ofReferenceColumn(SyntheticResults.SIMILARITY));
        int distance = ranked.metricIndex(MetricKey.ofReferenceColumn(SyntheticResults.DISTANCE));
        for (ResultRow row : ranked.rows()) {
            int level = (int) ShapFeatures.lrLevel(ranked.config(row));
            // The similarity grows with the level (ranked ascending); the distance 1/level shrinks with it
            // and is ranked descending, so both end up with the same scaled rank.
            assertThat(row.values()[similarity]).isCloseTo(expectedScaledRank(level), within(1e-15));
            assertThat(row.values()[distance]).isCloseTo(expectedScaledRank(level), within(1e-15));
        }
    }

    @Test
    void shapPutsEverythingOnTheOnlyFeatureTheTargetDependsOn() {
        int similarity = ranked.metricIndex(MetricKey.ofReferenceColumn(SyntheticResults.SIMILARITY));
        List<Aggregation.Group> groups = Aggregation.aggregate(Aggregation.bySubclass(ranked), Aggregation.Level.ALL, false);
        ShapDataset data = ShapDataset.of(ranked.configs(), groups, similarity);
        assertThat(data.size()).isEqualTo(N);
        ShapResult result = BoostedTrees.DEFAULT.fitAndExplain(data.features(), data.target());

        for (int j = 0; j < ShapFeatures.NAMES.size(); j++) {
            if (j == ShapFeatures.LR_LEVEL) continue;
            assertThat(result.meanAbs(j)).as(ShapFeatures.NAMES.get(j)).isLessThan(1e-6);
        }
        // Lr Level carries the spread of the target: levels 1 / 3 lie 0.3333 below / above the middle one.
        assertThat(result.meanAbs(ShapFeatures.LR_LEVEL)).isGreaterThan(0.2);
        for (int i = 0; i < data.size(); i++) {
            double level = data.features()[i][ShapFeatures.LR_LEVEL];
            double shap = result.shap()[i][ShapFeatures.LR_LEVEL];
            if (level == 1) assertThat(shap).isNegative();
            if (level == 3) assertThat(shap).isPositive();
            // TreeSHAP additivity: base value + Σ SHAP = the model's prediction (float32 inside XGBoost).
            double sum = result.base()[i];
            for (double s : result.shap()[i]) sum += s;
            assertThat(sum).as("row %d", i).isCloseTo(result.prediction()[i], within(1e-5));
        }
        // A three-valued function of one feature is fitted almost exactly.
        assertThat(result.rmse()).isLessThan(1e-3);
    }

    @Test
    void fullFineTuningCapacityIsFoldedIntoAlgo() {
        int similarity = ranked.metricIndex(MetricKey.ofReferenceColumn(SyntheticResults.SIMILARITY));
        List<Aggregation.Group> groups = Aggregation.aggregate(Aggregation.bySubclass(ranked), Aggregation.Level.ALL, false);
        ShapDataset data = ShapDataset.of(ranked.configs(), groups, similarity);
        ShapResult folded = BoostedTrees.DEFAULT.fitAndExplain(data.features(), data.target())
                .foldFullFineTuning(data.fullFineTuning());
        int full = 0;
        for (int i = 0; i < data.size(); i++) {
            if (!data.fullFineTuning()[i]) continue;
            full++;
            assertThat(folded.shap()[i][ShapFeatures.CAPACITY]).isZero();
            assertThat(folded.features()[i][ShapFeatures.CAPACITY]).isNaN();
            assertThat(data.features()[i][ShapFeatures.ALGO]).isEqualTo(3); // full: the fourth algorithm code
        }
        assertThat(full).isEqualTo(9 * 2 * 3);
    }
}
