package dev.lycoris4j.eval.analysis;

import java.nio.file.Path;
import java.util.Map;

/**
 * The metrics of one checkpoint on one leaf concept: {@code values[i]} belongs to the table's
 * {@code metrics().get(i)} (NaN = not measured). {@code imageFolders} maps a condition ({@code in},
 * {@code out}, ...) to the folder of images generated for it, where known. Rows are never modified after
 * construction; transformations build new rows.
 *
 * @param step   the epoch (the reference calls it Step)
 * @param weight the adapter weight at generation (1 unless the reference's folder starts with one)
 */
public record ResultRow(String config, String seed, int step, double weight, Concept concept, double[] values,
                        Map<String, Path> imageFolders) {

    public ResultRow {
        imageFolders = Map.copyOf(imageFolders);
    }

    public ResultRow withValues(double[] newValues) {
        return new ResultRow(config, seed, step, weight, concept, newValues, imageFolders);
    }
}
