package dev.lycoris4j.cli;

import dev.lycoris4j.eval.analysis.Analysis;
import dev.lycoris4j.eval.analysis.AnalysisOptions;
import dev.lycoris4j.eval.analysis.MetricKey;
import dev.lycoris4j.eval.analysis.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "analyze", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Analyse evaluation results into an HTML report: ranks, scatter plots, SHAP, correlations, images.",
        description = {"Reads a results CSV (this project's eval CSV, or LyCORIS-evaluation's metrics CSV with",
                "--configs), rank-normalises every metric within each leaf concept (1 = best), aggregates",
                "sub-class -> class -> category -> all (mean and standard error), explains each metric with",
                "gradient-boosted trees and TreeSHAP over Algorithm, Trained Layers, Epoch, Capacity and Lr Level,",
                "and writes REPORT_DIR/index.html (tables, scatter plots, SHAP beeswarms, a correlation heatmap,",
                "image grids) plus CSV tables. Formats and method: docs/evaluation.md."},
        footerHeading = "%nExamples:%n",
        footer = {"  lycoris analyze out/eval/results.csv -o out/report",
                "  lycoris analyze ddim_sd15_metrics.csv --configs config_mapping.csv --exclude 1007 --exclude 1017 \\",
                "      --exclude 1027 --images generated/ --step 30 --marker lr-level -o out/report"})
final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RESULTS.csv", description = "eval CSV or reference metrics CSV")
    Path results;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "REPORT_DIR",
            description = "folder for index.html, its PNGs and the CSV tables")
    Path output;

    @Option(names = "--configs", paramLabel = "CSV",
            description = "the reference's config_mapping.csv (required for, and only for, a metrics CSV with Folder)")
    Path configs;

    @Option(names = "--images", paramLabel = "DIR", description = "reference format: the generated tree that Folder paths are relative to; "
            + "eval format: the base of relative 'images' cells (default: the CSV's folder)")
    Path images;

    @Option(names = "--exclude", paramLabel = "KEYWORD",
            description = "drop configurations whose name contains KEYWORD before ranking (repeatable)")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--no-rank", description = "analyse raw metric values instead of rank-normalised ones")
    boolean noRank;

    @Option(names = "--metric", paramLabel = "METRIC", description = "a metric to report, as 'Image Similarity | DINOv2-padding | out' or a reference "
            + "column name (repeatable; default: the paper's six where present)")
    List<String> metrics = new ArrayList<>();

    @Option(names = "--marker", paramLabel = "FACTOR", defaultValue = "preset",
            description = "scatter marker factor: preset, capacity, lr-level or step (default: ${DEFAULT-VALUE})")
    String marker;

    @Option(names = "--step", paramLabel = "EPOCH", description = "only this epoch in scatter plots and image grids")
    Integer step;

    @Option(names = "--category", paramLabel = "NAME", description = "SHAP analysis on this category only (default: all)")
    String category;

    @Option(names = "--grid-images", paramLabel = "N", defaultValue = "6", description = "images per grid row (default: ${DEFAULT-VALUE})")
    int gridImages;

    @Option(names = "--grid-concepts", paramLabel = "N", defaultValue = "8",
            description = "at most N concepts get an image grid (default: ${DEFAULT-VALUE})")
    int gridConcepts;

    @Override
    public Integer call() throws Exception {
        Errors.readableFile(results, "results file");
        if (configs != null) Errors.readableFile(configs, "config table");
        if (images != null && !Files.isDirectory(images)) throw new Errors.BadInput("image folder not found: " + images);
        List<MetricKey> keys = new ArrayList<>();
        for (String m : metrics) keys.add(MetricKey.parseSelector(m));
        AnalysisOptions options = new AnalysisOptions(results, configs, images, output, exclude, !noRank, keys,
                marker(), step, category, gridImages, gridConcepts);
        Analysis.Result result = Analysis.run(options);
        Path index = ReportWriter.write(result);
        PrintWriter out = spec.commandLine().getOut();
        out.println("analysed " + result.table().rows().size() + " rows (" + result.table().configs().size()
                + " configurations) of " + result.metrics().size() + " metrics");
        for (String note : result.notes()) out.println("note: " + note);
        out.println("report: " + index);
        return 0;
    }

    private AnalysisOptions.Marker marker() {
        return switch (marker) {
            case "preset" -> AnalysisOptions.Marker.PRESET;
            case "capacity" -> AnalysisOptions.Marker.CAPACITY;
            case "lr-level" -> AnalysisOptions.Marker.LR_LEVEL;
            case "step" -> AnalysisOptions.Marker.STEP;
            default -> throw new ParameterException(spec.commandLine(),
                    "--marker must be preset, capacity, lr-level or step, got '" + marker + "'");
        };
    }
}
