package dev.lycoris4j.eval.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic experiment in the reference's format whose answers are known by construction: every
 * algorithm × preset × capacity × lr level of the paper's grid, seeds a and b, steps 10, 30 and 50, on
 * three leaf concepts; the metrics depend on the lr level only (similarity 0.1 · level, centroid distance
 * 1 / level, so a higher lr is better for both). Each combination of the other features appears once with
 * each lr level, so no split on another feature can explain anything.
 */
final class SyntheticResults {
    private SyntheticResults() {}

    static final String SIMILARITY = "Image Similarity (dinov2-l-fb-padding) (out)";
    static final String DISTANCE = "Squared Centroid Distance (dinov2-l-fb-padding) (out)";
    static final String[] PRESETS = {"attn-only", "attn-mlp", "full"};
    static final String[] CONCEPTS = {"people/P1/s1", "people/P1/s2", "scene/S1"};
    static final String[] SEEDS = {"a", "b"};
    /** Folder suffixes: epochs 10 and 30 carry the step, the final epoch-50 checkpoint only the seed. */
    static final String[] STEPS = {"-000010", "-000030", ""};

    /** One configuration of the grid: the config-table row and its lr level. */
    record Grid(String name, String algo, String preset, double lr, String dim, String alpha, String factor,
                int lrLevel) {}

    static List<Grid> grid() {
        List<Grid> out = new ArrayList<>();
        double[] adapterLrs = {1e-4, 5e-4, 1e-3};
        double[] fullLrs = {5e-7, 1e-6, 5e-6};
        int id = 1000;
        for (String preset : PRESETS) {
            for (int level = 1; level <= 3; level++) {
                double lr = adapterLrs[level - 1];
                for (String dim : new String[] {"8", "32"}) {
                    out.add(new Grid("exp-" + id++, "lora", preset, lr, dim, "4", "N/A", level));
                }
                for (String dim : new String[] {"4", "16"}) {
                    out.add(new Grid("exp-" + id++, "loha", preset, lr, dim, "2", "N/A", level));
                }
                for (String factor : new String[] {"12", "8", "4"}) {
                    out.add(new Grid("exp-" + id++, "lokr", preset, lr, "10000", "1", factor, level));
                }
                out.add(new Grid("exp-" + id++, "full", preset, fullLrs[level - 1], "N/A", "N/A", "N/A", level));
            }
        }
        return out;
    }

    /** Writes {@code metrics.csv} and {@code config_mapping.csv} into {@code dir}; returns the metrics CSV. */
    static Path write(Path dir) throws IOException {
        StringBuilder configs = new StringBuilder("Config,Algo,Preset,Lr,Dim,Alpha,Factor,Caption\n");
        StringBuilder metrics = new StringBuilder(CsvTable.formatRow(List.of("Folder", SIMILARITY, DISTANCE)));
        for (Grid g : grid()) {
            configs.append(CsvTable.formatRow(List.of(g.name, g.algo, g.preset, Double.toString(g.lr), g.dim, g.alpha,
                    g.factor, ".txt")));
            for (String seed : SEEDS) {
                for (String step : STEPS) {
                    for (String concept : CONCEPTS) {
                        String folder = "ddim-v1-5-pruned-emaonly-" + g.name + "-" + seed + step + "/" + concept;
                        metrics.append(CsvTable.formatRow(List.of(folder, Double.toString(0.1 * g.lrLevel),
                                Double.toString(1.0 / g.lrLevel))));
                    }
                }
            }
        }
        Files.writeString(dir.resolve("config_mapping.csv"), configs);
        return Files.writeString(dir.resolve("metrics.csv"), metrics);
    }
}
