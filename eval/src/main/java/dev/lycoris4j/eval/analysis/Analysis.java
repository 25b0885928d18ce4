package dev.lycoris4j.eval.analysis;

import dev.lycoris4j.eval.metrics.PearsonCorrelation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The analysis behind {@code lycoris analyze}, in the reference's order: read, drop excluded
 * configurations, rank-normalise within each leaf concept, join the config table, aggregate, then the
 * scatter panels, a SHAP explanation per metric and the correlation matrix. {@link ReportWriter} turns
 * the {@link Result} into files.
 */
public final class Analysis {
    private Analysis() {}

    /** The paper's six metrics, ordered as the x, y pairs of its three scatter panels. */
    static final List<MetricKey> PAPER_METRICS = List.of(
            new MetricKey("Text Similarity", "CLIP", "out"),
            new MetricKey("Image Similarity", "DINOv2-padding", "out"),
            new MetricKey("Vendi", "DINOv2", "trigger"),
            new MetricKey("Squared Centroid Distance", "DINOv2-padding", "trigger"),
            new MetricKey("Style Loss", "Vgg19", "base model"),
            new MetricKey("Image Similarity", "DINOv2-padding", "in"));
    /** Without the paper's metrics, the first ones of the table (alphabetical) up to this many. */
    private static final int DEFAULT_METRICS = 6;

    /** The SHAP explanation of one target metric, or why there is none. */
    public record ShapSection(MetricKey target, ShapDataset data, ShapResult result, String skipped) {}

    /**
     * Everything the report shows. {@code table}: ranked (if asked) and joined rows; {@code all},
     * {@code byCategory}: level All and Category with seeds grouped; {@code correlation}: Pearson over
     * the rows of {@code table} between {@code metrics}.
     */
    public record Result(AnalysisOptions options, int rowsRead, ResultTable table, List<MetricKey> metrics,
                         List<List<MetricKey>> scatterPairs, List<Aggregation.Group> all,
                         List<Aggregation.Group> byCategory, List<ShapSection> shap, double[][] correlation,
                         List<String> notes) {}

    public static Result run(AnalysisOptions o) throws IOException {
        List<String> notes = new ArrayList<>();
        ResultTable read = ResultsReader.read(o.results(), o.configs(), o.images());
        int rowsRead = read.rows().size();
        ResultTable table = exclude(read, o.exclude(), notes);
        if (table.rows().isEmpty()) {
            throw new IllegalArgumentException(o.results() + ": no rows to analyse (the reference format keeps only "
                    + "Folder values containing 'exp'" + (o.exclude().isEmpty() ? "" : ", after --exclude") + ")");
        }
        if (o.rank()) {
            table = RankNormalization.apply(table);
            noteSingletons(table, notes);
        }
        ResultTable joined = table.joinConfigs(table.configs());
        noteUnjoined(table, joined, notes);
        if (joined.rows().isEmpty()) {
            throw new IllegalArgumentException(o.results() + ": no row's Config is in the config table " + o.configs());
        }
        if (joined.metrics().isEmpty()) throw new IllegalArgumentException(o.results() + ": no metric columns");
        List<MetricKey> metrics = chooseMetrics(joined, o.metrics());
        ResultTable classes = Aggregation.bySubclass(joined);
        List<ShapSection> shap = new ArrayList<>();
        for (MetricKey target : metrics) shap.add(explain(joined, classes, target, o.category()));
        noteUnderivedFeatures(joined, notes);
        double[][] columns = new double[metrics.size()][];
        for (int i = 0; i < columns.length; i++) columns[i] = joined.column(joined.metricIndex(metrics.get(i)));
        return new Result(o, rowsRead, joined, metrics, scatterPairs(metrics, o.metrics().isEmpty()),
                Aggregation.aggregate(classes, Aggregation.Level.ALL, true),
                Aggregation.aggregate(classes, Aggregation.Level.CATEGORY, true), shap,
                PearsonCorrelation.matrix(columns), notes);
    }

    private static ResultTable exclude(ResultTable table, List<String> keywords, List<String> notes) {
        if (keywords.isEmpty()) return table;
        List<ResultRow> kept = table.rows().stream()
                .filter(r -> keywords.stream().noneMatch(k -> r.config().contains(k))).toList();
        notes.add((table.rows().size() - kept.size()) + " rows of configurations matching " + keywords
                + " were excluded before ranking.");
        return table.withRows(kept);
    }

    private static void noteSingletons(ResultTable table, List<String> notes) {
        Map<Concept, Integer> sizes = new HashMap<>();
        for (ResultRow r : table.rows()) sizes.merge(r.concept(), 1, Integer::sum);
        TreeSet<String> single = new TreeSet<>();
        sizes.forEach((concept, n) -> {
            if (n == 1) single.add(concept.path());
        });
        if (!single.isEmpty()) {
            notes.add(single.size() + " concept(s) have a single row, so their ranks are NaN (0/0, as in the "
                    + "reference): " + abbreviate(single));
        }
    }

    private static void noteUnjoined(ResultTable table, ResultTable joined, List<String> notes) {
        int dropped = table.rows().size() - joined.rows().size();
        if (dropped == 0) return;
        TreeSet<String> missing = new TreeSet<>();
        for (ResultRow r : table.rows()) {
            if (!table.configs().containsKey(r.config())) missing.add(r.config());
        }
        notes.add(dropped + " rows name a Config missing from the config table and were dropped after ranking "
                + "(the reference's inner join): " + abbreviate(missing));
    }

    private static void noteUnderivedFeatures(ResultTable joined, List<String> notes) {
        TreeSet<String> noCapacity = new TreeSet<>();
        TreeSet<String> noLevel = new TreeSet<>();
        for (Config c : joined.configs().values()) {
            if (Double.isNaN(ShapFeatures.capacity(c))) noCapacity.add(c.name());
            if (Double.isNaN(ShapFeatures.lrLevel(c))) noLevel.add(c.name());
        }
        if (!noCapacity.isEmpty()) {
            notes.add("Capacity is defined only for the paper's dims and factors; missing (NaN, grey) for "
                    + abbreviate(noCapacity));
        }
        if (!noLevel.isEmpty()) {
            notes.add("Lr Level is defined only for the paper's learning rates; missing (NaN, grey) for "
                    + abbreviate(noLevel));
        }
    }

    private static String abbreviate(TreeSet<String> names) {
        List<String> first = names.stream().limit(8).toList();
        return String.join(", ", first) + (names.size() > first.size() ? ", ... (" + names.size() + " in all)" : "");
    }

    private static List<MetricKey> chooseMetrics(ResultTable table, List<MetricKey> requested) {
        if (!requested.isEmpty()) {
            for (MetricKey m : requested) {
                if (table.metricIndex(m) < 0) {
                    throw new IllegalArgumentException("metric '" + m.label() + "' is not in the results; available: "
                            + String.join("; ", table.metrics().stream().map(MetricKey::label).toList()));
                }
            }
            return requested;
        }
        List<MetricKey> paper = PAPER_METRICS.stream().filter(m -> table.metricIndex(m) >= 0).toList();
        if (paper.size() >= 2) return paper;
        return table.metrics().stream().limit(DEFAULT_METRICS).toList();
    }

    /** The paper's panels where both metrics exist; otherwise (or for chosen metrics) consecutive pairs. */
    private static List<List<MetricKey>> scatterPairs(List<MetricKey> metrics, boolean paperDefaults) {
        List<List<MetricKey>> out = new ArrayList<>();
        if (paperDefaults) {
            for (int i = 0; i + 1 < PAPER_METRICS.size(); i += 2) {
                if (metrics.contains(PAPER_METRICS.get(i)) && metrics.contains(PAPER_METRICS.get(i + 1))) {
                    out.add(List.of(PAPER_METRICS.get(i), PAPER_METRICS.get(i + 1)));
                }
            }
            if (!out.isEmpty()) return out;
        }
        for (int i = 0; i + 1 < metrics.size(); i += 2) out.add(List.of(metrics.get(i), metrics.get(i + 1)));
        return out;
    }

    private static ShapSection explain(ResultTable joined, ResultTable classes, MetricKey target, String category) {
        ResultTable scope = classes;
        if (category != null) {
            scope = classes.withRows(classes.rows().stream().filter(r -> r.concept().category().equals(category)).toList());
            if (scope.rows().isEmpty()) {
                TreeSet<String> categories = new TreeSet<>();
                classes.rows().forEach(r -> categories.add(r.concept().category()));
                throw new IllegalArgumentException("category '" + category + "' is not in the results; categories: "
                        + String.join(", ", categories));
            }
        }
        List<Aggregation.Group> groups = Aggregation.aggregate(scope, Aggregation.Level.ALL, false);
        ShapDataset data = ShapDataset.of(joined.configs(), groups, joined.metricIndex(target));
        if (data.size() < 2) {
            return new ShapSection(target, data, null, "fewer than two weight-1 checkpoints have a value of this metric");
        }
        ShapResult result = BoostedTrees.DEFAULT.fitAndExplain(data.features(), data.target())
                .foldFullFineTuning(data.fullFineTuning());
        return new ShapSection(target, data, result, null);
    }
}
