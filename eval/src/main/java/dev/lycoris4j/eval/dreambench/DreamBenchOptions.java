package dev.lycoris4j.eval.dreambench;

import dev.lycoris4j.eval.run.GenerationSettings;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code lycoris dreambench} does.
 *
 * @param tokenizer     tokenizer of a single-file base model, or null
 * @param dataset       the google/dreambooth {@code dataset} folder: one folder of real images per subject
 * @param adapters      a folder holding {@code <subject>.safetensors} per subject, or null to score the base model
 * @param output        images go to {@code <output>/<subject>/}, scores to {@code <output>/dreambench.csv}
 * @param data          the DreamBench table (dreambench.json format), or null for the built-in copy
 * @param uniqueToken   the rare token the adapters were trained with ({@code sks})
 * @param subjects      subjects to evaluate; empty for all 30
 * @param generation    sampler, steps, size; image k of a subject (prompt k / n, k mod n of its n images) has
 *                      seed {@code generation.seed() + k}
 */
public record DreamBenchOptions(Path model, Path tokenizer, Path dataset, Path adapters, double scale, Path output,
                                Path data, String uniqueToken, List<String> subjects, GenerationSettings generation,
                                Path clip, Path clipTokenizer, Path dino, int dinoSize) {
    public DreamBenchOptions {
        subjects = List.copyOf(subjects);
        if (uniqueToken.isBlank()) throw new IllegalArgumentException("the unique token is empty");
    }
}
