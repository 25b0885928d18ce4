package dev.lycoris4j.eval.analysis;

import dev.lycoris4j.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes an {@link Analysis.Result} into the output folder: {@code index.html} (self-contained apart from
 * the PNGs beside it), the figures, and {@code table.csv}, {@code summary_all.csv},
 * {@code summary_category.csv}. Every file is written atomically; index.html last, so a report that exists
 * is complete.
 */
public final class ReportWriter {
    private ReportWriter() {}

    /** Image-grid conditions in order of preference: the trigger prompt shows the learned concept itself. */
    private static final List<String> GRID_CONDITIONS = List.of("trigger", "out", "in", "base model", "agnostic");
    private static final int GRID_ROWS = 12;
    private static final int GRID_CELL = 112;

    /** Writes the report; returns the path of index.html. */
    public static Path write(Analysis.Result result) throws IOException {
        Path dir = result.options().outputDir();
        Files.createDirectories(dir);
        ResultTable table = result.table();
        List<String> algoOrder = algoOrder(table);
        Html html = new Html("lycoris4j analysis: " + result.options().results().getFileName());
        header(html, result);

        ReportCsv.writeTable(dir.resolve("table.csv"), table);
        ReportCsv.writeGroups(dir.resolve("summary_all.csv"), table, result.all(), false);
        ReportCsv.writeGroups(dir.resolve("summary_category.csv"), table, result.byCategory(), true);

        html.h2("Scatter plots");
        for (int i = 0; i < result.scatterPairs().size(); i++) {
            String name = "scatter-" + (i + 1) + ".png";
            scatter(dir.resolve(name), result, result.scatterPairs().get(i), algoOrder);
            html.image(name, "scatter plot " + (i + 1));
        }
        if (result.scatterPairs().isEmpty()) html.paragraph("Fewer than two metrics: no scatter plot.");

        html.h2("SHAP analysis" + (result.options().category() == null ? "" : ": category " + result.options().category()));
        BoostedTrees model = BoostedTrees.DEFAULT;
        html.paragraph("Target: the mean of a metric over the classes of a checkpoint (seeds apart, weight 1). "
                + "Model: XGBoost regression trees (" + model.rounds() + " rounds, learning rate " + model.learningRate()
                + ", depth " + model.maxDepth() + ", seed " + model.seed() + ") with exact TreeSHAP, standing in for "
                + "the reference's CatBoost; full fine-tuning's Capacity SHAP value is folded into Algorithm (transform_nt).");
        for (int i = 0; i < result.shap().size(); i++) shap(html, dir, result.shap().get(i), i + 1);

        html.h2("Correlation");
        List<String> labels = result.metrics().stream().map(m -> m.paperLabel(false)).toList();
        CorrelationHeatmap.write(dir.resolve("correlation.png"), "Pearson correlation over " + table.rows().size()
                + " rows" + (result.options().rank() ? " (rank-normalised)" : ""), labels, result.correlation());
        html.image("correlation.png", "correlation heatmap");

        imageGrids(html, dir, result, algoOrder);

        html.h2("Tables: mean ± standard error over classes and seeds");
        html.raw("<details open><summary>All categories: " + result.all().size() + " rows</summary>");
        summaryTable(html, result, result.all(), algoOrder, false);
        html.close("details");
        html.raw("<details><summary>By category: " + result.byCategory().size() + " rows</summary>");
        summaryTable(html, result, result.byCategory(), algoOrder, true);
        html.close("details");

        html.h2("Files");
        html.raw("<ul><li><a href=\"table.csv\">table.csv</a>: one row per checkpoint and leaf concept"
                + (result.options().rank() ? ", rank-normalised" : "") + "</li>"
                + "<li><a href=\"summary_all.csv\">summary_all.csv</a>, <a href=\"summary_category.csv\">"
                + "summary_category.csv</a>: mean, standard error and count per metric</li></ul>");
        Path index = dir.resolve("index.html");
        AtomicFiles.writeString(index, html.finish());
        return index;
    }

    private static void header(Html html, Analysis.Result r) {
        AnalysisOptions o = r.options();
        html.raw("<h1>" + Html.escape(html.title) + "</h1>");
        List<String> facts = new ArrayList<>();
        facts.add("results: " + o.results());
        if (o.configs() != null) facts.add("config table: " + o.configs());
        facts.add(r.rowsRead() + " rows read, " + r.table().rows().size() + " analysed");
        facts.add(r.table().configs().size() + " configurations");
        facts.add(r.table().rows().stream().map(ResultRow::concept).distinct().count() + " leaf concepts");
        facts.add(o.rank() ? "values rank-normalised within each leaf concept (1 = best, 0 = worst)" : "raw values");
        html.raw("<p class=\"meta\">" + Html.escape(String.join(" · ", facts)) + "</p>");
        if (!r.notes().isEmpty()) {
            html.raw("<ul class=\"notes\">");
            for (String note : r.notes()) html.raw("<li>" + Html.escape(note) + "</li>");
            html.raw("</ul>");
        }
    }

    /** lora, loha, lokr, full, then other algorithms alphabetically: the colour order of every figure. */
    private static List<String> algoOrder(ResultTable table) {
        return ShapFeatures.codes(ShapFeatures.ALGO_ORDER, table.configs().values().stream().map(Config::algo).toList());
    }

    /** Algorithm, preset (reference order), lr, dim, alpha, factor, then category, epoch, weight (1 first). */
    private static Comparator<Config> configOrder(List<String> algoOrder) {
        return Comparator.<Config>comparingInt(c -> algoOrder.indexOf(c.algo()))
                .thenComparingInt(c -> ShapFeatures.PRESET_ORDER.contains(c.preset())
                        ? ShapFeatures.PRESET_ORDER.indexOf(c.preset()) : ShapFeatures.PRESET_ORDER.size())
                .thenComparing(Config::preset).thenComparingDouble(Config::lr).thenComparingDouble(Config::dim)
                .thenComparingDouble(Config::alpha).thenComparingDouble(Config::factor).thenComparing(Config::name);
    }

    private static Comparator<Aggregation.Group> displayOrder(ResultTable table, List<String> algoOrder) {
        return Comparator.comparing((Aggregation.Group g) -> table.configs().get(g.key().config()), configOrder(algoOrder))
                .thenComparing(g -> g.key().category()).thenComparingInt(g -> g.key().step())
                .thenComparingDouble(g -> -g.key().weight());
    }

    private static void summaryTable(Html html, Analysis.Result r, List<Aggregation.Group> groups,
                                     List<String> algoOrder, boolean withCategory) {
        ResultTable table = r.table();
        boolean weights = groups.stream().anyMatch(g -> g.key().weight() != 1);
        List<String> head = new ArrayList<>(List.of("Config", "Algo", "Preset", "Lr", "Dim", "Alpha", "Factor"));
        if (withCategory) head.add("Category");
        head.add("Epoch");
        if (weights) head.add("Weight");
        for (MetricKey m : r.metrics()) head.add(m.paperLabel(false));
        html.tableStart(head);
        for (Aggregation.Group g : groups.stream().sorted(displayOrder(table, algoOrder)).toList()) {
            Config c = table.configs().get(g.key().config());
            List<String> cells = new ArrayList<>(List.of(c.name(), c.algo(), c.preset(), Numbers.compact(c.lr()),
                    Numbers.compact(c.dim()), Numbers.compact(c.alpha()), Numbers.compact(c.factor())));
            if (withCategory) cells.add(g.key().category());
            cells.add(Integer.toString(g.key().step()));
            if (weights) cells.add(Numbers.compact(g.key().weight()));
            for (MetricKey m : r.metrics()) {
                int i = table.metricIndex(m);
                cells.add(Numbers.fixed(g.mean()[i], 3) + " ± " + Numbers.fixed(g.stderr()[i], 3));
            }
            html.tableRow(cells);
        }
        html.tableEnd();
    }

    private static void scatter(Path file, Analysis.Result r, List<MetricKey> pair, List<String> algoOrder)
            throws IOException {
        ResultTable table = r.table();
        AnalysisOptions.Marker marker = r.options().marker();
        int x = table.metricIndex(pair.get(0));
        int y = table.metricIndex(pair.get(1));
        List<ScatterPlot.Point> points = new ArrayList<>();
        Set<String> markers = new LinkedHashSet<>();
        for (Aggregation.Group g : r.all()) {
            if (g.key().weight() != 1 || (r.options().step() != null && g.key().step() != r.options().step())) continue;
            Config c = table.configs().get(g.key().config());
            String m = marker.value(c, g.key().step());
            markers.add(m);
            points.add(new ScatterPlot.Point(c.algo(), m, g.mean()[x], g.mean()[y], g.stderr()[x], g.stderr()[y]));
        }
        String title = (r.options().step() == null ? "All epochs" : "Epoch " + r.options().step())
                + ": mean ± standard error over classes and seeds";
        ScatterPlot.write(file, title, pair.get(0).paperLabel(false), pair.get(1).paperLabel(true), marker.title(),
                algoOrder, markerOrder(marker, markers), points);
    }

    /** Presets in the reference's order; numeric factors ascending; "n/a" last. */
    private static List<String> markerOrder(AnalysisOptions.Marker marker, Set<String> present) {
        if (marker == AnalysisOptions.Marker.PRESET) {
            return ShapFeatures.codes(ShapFeatures.PRESET_ORDER, present).stream().filter(present::contains).toList();
        }
        return present.stream().sorted(Comparator.comparingDouble(
                (String v) -> v.equals("n/a") ? Double.POSITIVE_INFINITY : Double.parseDouble(v))).toList();
    }

    private static void shap(Html html, Path dir, Analysis.ShapSection s, int index) throws IOException {
        html.h3(s.target().paperLabel(false) + " (" + s.target().label() + ")");
        if (s.result() == null) {
            html.paragraph("No SHAP analysis: " + s.skipped() + ".");
            return;
        }
        String name = "shap-" + index + ".png";
        BeeswarmPlot.write(dir.resolve(name), s.target().paperLabel(false), ShapFeatures.LABELS, s.result().features(),
                s.result().shap());
        html.image(name, "SHAP beeswarm for " + s.target().label());
        ShapResult r = s.result();
        html.tableStart(List.of("Feature", "mean |SHAP|"));
        for (int j = 0; j < ShapFeatures.LABELS.size(); j++) {
            html.tableRow(List.of(ShapFeatures.LABELS.get(j), Numbers.fixed(r.meanAbs(j), 4)));
        }
        html.tableEnd();
        html.paragraph(s.data().size() + " checkpoints; base value " + Numbers.fixed(r.base()[0], 4)
                + "; training RMSE " + Numbers.fixed(r.rmse(), 4) + ". Colour codes: Algorithm "
                + codes(s.data().algoCodes()) + "; Trained Layers " + codes(s.data().presetCodes()) + ".");
    }

    /** At most {@link #GRID_ROWS} rows, evenly spaced over the list so that every algorithm shows. */
    private static List<ResultRow> spread(List<ResultRow> rows) {
        if (rows.size() <= GRID_ROWS) return rows;
        List<ResultRow> out = new ArrayList<>(GRID_ROWS);
        for (int i = 0; i < GRID_ROWS; i++) out.add(rows.get((int) Math.round(i * (rows.size() - 1) / (GRID_ROWS - 1.0))));
        return out;
    }

    private static String codes(List<String> values) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) out.add(i + " = " + values.get(i));
        return String.join(", ", out);
    }

    private static void imageGrids(Html html, Path dir, Analysis.Result r, List<String> algoOrder) throws IOException {
        ResultTable table = r.table();
        TreeSet<Concept> concepts = new TreeSet<>();
        for (ResultRow row : table.rows()) {
            if (!row.imageFolders().isEmpty()) concepts.add(row.concept());
        }
        if (concepts.isEmpty() || r.options().gridConcepts() == 0) return;
        html.h2("Generated images");
        Comparator<ResultRow> order = Comparator.comparing(table::config, configOrder(algoOrder))
                .thenComparing(ResultRow::seed).thenComparingInt(ResultRow::step).thenComparingDouble(row -> -row.weight());
        int written = 0;
        for (Concept concept : concepts) {
            if (written == r.options().gridConcepts()) break;
            List<ResultRow> rows = table.rows().stream().filter(row -> row.concept().equals(concept))
                    .filter(row -> r.options().step() == null || row.step() == r.options().step()).sorted(order).toList();
            String condition = GRID_CONDITIONS.stream()
                    .filter(c -> rows.stream().anyMatch(row -> row.imageFolders().containsKey(c))).findFirst().orElse(null);
            if (condition == null) continue;
            List<ImageGrid.Row> gridRows = new ArrayList<>();
            for (ResultRow row : spread(rows.stream().filter(row -> row.imageFolders().containsKey(condition)).toList())) {
                Path folder = row.imageFolders().get(condition);
                if (!Files.isDirectory(folder)) continue;
                List<Path> images = ImageGrid.imageFiles(folder, r.options().gridImages());
                if (images.isEmpty()) continue;
                String label = row.config() + " · seed " + row.seed() + " · epoch " + row.step()
                        + (row.weight() == 1 ? "" : " · weight " + Numbers.compact(row.weight()));
                gridRows.add(new ImageGrid.Row(label, images));
            }
            if (gridRows.isEmpty()) continue;
            written++;
            String name = "grid-" + written + ".png";
            ImageGrid.write(dir.resolve(name), gridRows, GRID_CELL);
            html.h3(concept.path() + " · prompt type " + condition);
            html.image(name, "generated images of " + concept.path());
        }
    }
}
