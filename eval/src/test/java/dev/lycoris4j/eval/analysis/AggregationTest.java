package dev.lycoris4j.eval.analysis;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Sub-class → class → category → All, with means and standard errors worked by hand. */
class AggregationTest {
    private static final double NAN = Double.NaN;

    private static ResultRow row(String seed, String category, String cls, String sub, double value, double other) {
        return new ResultRow("c1", seed, 10, 1, new Concept(category, cls, sub), new double[] {value, other}, Map.of());
    }

    /**
     * Seed a: people/P sub-classes 0.2 and 0.6 (class mean 0.4), people/Q 0.8, scene/S 0.5.
     * Seed b: people/P sub-classes 0.4 and NaN (class mean 0.4), people/Q 0.2, scene/S 0.9.
     * The second metric is NaN everywhere except scene/S of seed a.
     */
    private static ResultTable classes() {
        MetricKey sim = MetricKey.ofReferenceColumn("Image Similarity (dinov2-l-fb-padding) (out)");
        MetricKey vendi = MetricKey.ofReferenceColumn("Vendi (dinov2-l-fb) (trigger)");
        ResultTable table = new ResultTable(List.of(sim, vendi), Map.of(), List.of(
                row("a", "people", "P", "sub1", 0.2, NAN),
                row("a", "people", "P", "sub2", 0.6, NAN),
                row("a", "people", "Q", "", 0.8, NAN),
                row("a", "scene", "S", "", 0.5, 3.0),
                row("b", "people", "P", "sub1", 0.4, NAN),
                row("b", "people", "P", "sub2", NAN, NAN),
                row("b", "people", "Q", "", 0.2, NAN),
                row("b", "scene", "S", "", 0.9, NAN)));
        return Aggregation.bySubclass(table);
    }

    private static Aggregation.Group find(List<Aggregation.Group> groups, String seed, String category, String cls) {
        return groups.stream().filter(g -> g.key().seed().equals(seed) && g.key().category().equals(category)
                && g.key().cls().equals(cls)).findFirst().orElseThrow();
    }

    @Test
    void subclassesAreAveragedIntoOneRowPerClass() {
        ResultTable classes = classes();
        assertThat(classes.rows()).hasSize(6);
        ResultRow pA = classes.rows().stream().filter(r -> r.seed().equals("a") && r.concept().cls().equals("P"))
                .findFirst().orElseThrow();
        assertThat(pA.concept().subclass()).isEmpty();
        assertThat(pA.values()[0]).isCloseTo(0.4, within(1e-15));
        ResultRow pB = classes.rows().stream().filter(r -> r.seed().equals("b") && r.concept().cls().equals("P"))
                .findFirst().orElseThrow();
        assertThat(pB.values()[0]).isEqualTo(0.4); // NaN skipped: the mean of 0.4 alone
        assertThat(pB.values()[1]).isNaN();
    }

    @Test
    void categoryLevelPerSeed() {
        List<Aggregation.Group> groups = Aggregation.aggregate(classes(), Aggregation.Level.CATEGORY, false);
        assertThat(groups).hasSize(4);
        // seed a, people: classes 0.4, 0.8 → mean 0.6, sd √0.08, se √0.08/√2 = 0.2
        Aggregation.Group aPeople = find(groups, "a", "people", "");
        assertThat(aPeople.mean()[0]).isCloseTo(0.6, within(1e-15));
        assertThat(aPeople.stderr()[0]).isCloseTo(0.2, within(1e-15));
        assertThat(aPeople.count()[0]).isEqualTo(2);
        // seed b, people: 0.4, 0.2 → mean 0.3, se √0.02/√2 = 0.1
        Aggregation.Group bPeople = find(groups, "b", "people", "");
        assertThat(bPeople.mean()[0]).isCloseTo(0.3, within(1e-15));
        assertThat(bPeople.stderr()[0]).isCloseTo(0.1, within(1e-15));
        // a single value has no standard error; an all-NaN metric has no mean
        Aggregation.Group aScene = find(groups, "a", "scene", "");
        assertThat(aScene.mean()[1]).isEqualTo(3.0);
        assertThat(aScene.stderr()[1]).isNaN();
        assertThat(aScene.count()[1]).isEqualTo(1);
        assertThat(aPeople.mean()[1]).isNaN();
        assertThat(aPeople.count()[1]).isZero();
    }

    @Test
    void allLevelWithSeedsGrouped() {
        List<Aggregation.Group> groups = Aggregation.aggregate(classes(), Aggregation.Level.ALL, true);
        assertThat(groups).hasSize(1);
        Aggregation.Group all = groups.getFirst();
        assertThat(all.key().seed()).isEmpty();
        assertThat(all.key().category()).isEmpty();
        // class rows 0.4, 0.8, 0.5, 0.4, 0.2, 0.9: mean 3.2/6; Σ(x − mean)² = 2.06 − 3.2²/6 = 2.12/6;
        // se = √(2.12/6 / 5) / √6 = √(2.12/180)
        assertThat(all.mean()[0]).isCloseTo(3.2 / 6, within(1e-15));
        assertThat(all.stderr()[0]).isCloseTo(Math.sqrt(2.12 / 180), within(1e-15));
        assertThat(all.count()[0]).isEqualTo(6);
    }

    @Test
    void classLevelGroupsSeeds() {
        List<Aggregation.Group> groups = Aggregation.aggregate(classes(), Aggregation.Level.CLASS, true);
        assertThat(groups).hasSize(3);
        // people/Q over seeds: 0.8, 0.2 → mean 0.5, se √0.18/√2 = 0.3
        Aggregation.Group q = find(groups, "", "people", "Q");
        assertThat(q.mean()[0]).isCloseTo(0.5, within(1e-15));
        assertThat(q.stderr()[0]).isCloseTo(0.3, within(1e-15));
    }
}
