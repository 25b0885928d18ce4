package dev.lycoris4j.eval.analysis;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rank normalisation on small tables worked by hand: (rank − 1) / (n − 1) within each leaf concept. */
class RankNormalizationTest {

    @Test
    void distinctValuesAscending() {
        // ranks 3, 1, 2 of n = 3 → (r − 1) / 2
        assertThat(RankNormalization.scaledRanks(new double[] {3, 1, 2}, false)).containsExactly(1, 0, 0.5);
    }

    @Test
    void tiesShareTheirAverageRank() {
        // ranks 1, 2.5, 2.5, 4 of n = 4 → 0, 1.5/3, 1.5/3, 1
        assertThat(RankNormalization.scaledRanks(new double[] {1, 2, 2, 4}, false)).containsExactly(0, 0.5, 0.5, 1);
        // three-way tie on ranks 2, 3, 4 of n = 5 → rank 3 → 2/4
        assertThat(RankNormalization.scaledRanks(new double[] {7, 7, 1, 7, 9}, false))
                .containsExactly(0.5, 0.5, 0, 0.5, 1);
    }

    @Test
    void nanStaysNanButCountsInN() {
        // non-NaN ranks: 5 → 2, 1 → 1; n = 3 (NaN counted) → (2 − 1) / 2 and 0
        double[] scaled = RankNormalization.scaledRanks(new double[] {5, Double.NaN, 1}, false);
        assertThat(scaled[0]).isEqualTo(0.5);
        assertThat(scaled[1]).isNaN();
        assertThat(scaled[2]).isEqualTo(0);
    }

    @Test
    void distancesAreReversedSoThatOneIsBest() {
        // the smallest distance 0.1 is best: descending ranks 3, 1, 2 → 1, 0, 0.5
        assertThat(RankNormalization.scaledRanks(new double[] {0.1, 0.3, 0.2}, true)).containsExactly(1, 0, 0.5);
    }

    @Test
    void singleRowIsZeroOverZero() {
        assertThat(RankNormalization.scaledRanks(new double[] {7}, false)[0]).isNaN();
    }

    private static ResultRow row(String config, Concept concept, double... values) {
        return new ResultRow(config, "a", 10, 1, concept, values, Map.of());
    }

    @Test
    void tableRanksPerConceptAndLeavesRawMetrics() {
        MetricKey fd = MetricKey.ofReferenceColumn("FD (dinov2-l-fb-padding)");
        MetricKey sim = MetricKey.ofReferenceColumn("Image Similarity (dinov2-l-fb-padding) (out)");
        MetricKey scd = MetricKey.ofReferenceColumn("Squared Centroid Distance (dinov2-l-fb-padding) (out)");
        Concept people = new Concept("people", "P", "s1");
        Concept scene = new Concept("scene", "S", "");
        Concept lonely = new Concept("scene", "L", "");
        ResultTable table = new ResultTable(List.of(fd, sim, scd), Map.of(), List.of(
                row("c1", people, 10, 0.2, 0.9),
                row("c2", people, 20, 0.8, 0.1),
                row("c1", scene, 30, 0.5, 0.4),
                row("c2", scene, 40, 0.5, Double.NaN),
                row("c3", scene, 50, 0.1, 0.3),
                row("c1", lonely, 60, 0.7, 0.2)));
        List<ResultRow> ranked = RankNormalization.apply(table).rows();
        // people: n = 2; similarity ascending, distance descending (0.1 best)
        assertThat(ranked.get(0).values()).containsExactly(10, 0, 0);
        assertThat(ranked.get(1).values()).containsExactly(20, 1, 1);
        // scene: n = 3; similarity 0.5, 0.5 tie on ranks 2, 3 → 2.5 → 0.75; 0.1 → 0
        // distance: NaN kept; 0.3 best (desc rank 2) → 0.5, 0.4 (desc rank 1) → 0
        assertThat(ranked.get(2).values()).containsExactly(30, 0.75, 0);
        assertThat(ranked.get(3).values()[1]).isEqualTo(0.75);
        assertThat(ranked.get(3).values()[2]).isNaN();
        assertThat(ranked.get(4).values()).containsExactly(50, 0, 0.5);
        // a concept with one row: 0/0
        assertThat(ranked.get(5).values()[0]).isEqualTo(60);
        assertThat(ranked.get(5).values()[1]).isNaN();
        // the input is not modified
        assertThat(table.rows().get(0).values()).containsExactly(10, 0.2, 0.9);
    }

    @Test
    void everyConceptWithOneRowIsRefused() {
        MetricKey sim = MetricKey.ofReferenceColumn("Image Similarity (dinov2-l-fb-padding) (out)");
        ResultTable table = new ResultTable(List.of(sim), Map.of(), List.of(
                row("c1", new Concept("people", "P", ""), 0.2),
                row("c1", new Concept("scene", "S", ""), 0.4)));
        assertThatThrownBy(() -> RankNormalization.apply(table))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every concept has a single row");
    }
}
