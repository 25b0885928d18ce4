package dev.lycoris4j.eval.analysis;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code lycoris analyze} does.
 *
 * @param results      the results CSV (reference metrics CSV or eval CSV)
 * @param configs      the reference's config_mapping.csv (reference format only), or null
 * @param images       reference format: the generated tree Folder paths are relative to; eval format: the
 *                     folder relative {@code images} cells start from; null for none / the CSV's folder
 * @param outputDir    where index.html, the PNGs and the CSVs go
 * @param exclude      configurations whose name contains one of these are dropped before ranking
 * @param rank         rank-normalise (the reference's default) or analyse raw values
 * @param metrics      the metrics to report, plot and explain; empty for the paper's six where present
 * @param marker       the scatter plots' second factor
 * @param step         only this step (epoch) in the scatter plots, or null for every step
 * @param category     only this category in the SHAP analysis, or null for all categories together
 * @param gridImages   images per row of an image grid
 * @param gridConcepts at most this many concepts get an image grid
 */
public record AnalysisOptions(Path results, Path configs, Path images, Path outputDir, List<String> exclude,
                              boolean rank, List<MetricKey> metrics, Marker marker, Integer step, String category,
                              int gridImages, int gridConcepts) {

    public AnalysisOptions {
        exclude = List.copyOf(exclude);
        metrics = List.copyOf(metrics);
        if (gridImages < 1 || gridConcepts < 0) {
            throw new IllegalArgumentException("grid sizes must be positive, got " + gridImages + " images and "
                    + gridConcepts + " concepts");
        }
    }

    /** Defaults: ranked, the paper's metrics, marker Preset, every step, all categories, 6 × 8 grids. */
    public static AnalysisOptions of(Path results, Path configs, Path outputDir) {
        return new AnalysisOptions(results, configs, null, outputDir, List.of(), true, List.of(), Marker.PRESET, null,
                null, 6, 8);
    }

    /** The scatter plots' marker factor: the reference's choices. */
    public enum Marker {
        PRESET("Trained Layers"), CAPACITY("Capacity"), LR_LEVEL("Lr Level"), STEP("Epoch");

        private final String title;

        Marker(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }

        /** The marker group of a configuration at a step. */
        String value(Config c, int step) {
            return switch (this) {
                case PRESET -> c.preset();
                case CAPACITY -> level(ShapFeatures.capacity(c));
                case LR_LEVEL -> level(ShapFeatures.lrLevel(c));
                case STEP -> Integer.toString(step);
            };
        }

        private static String level(double v) {
            return Double.isNaN(v) ? "n/a" : Numbers.compact(v);
        }
    }
}
