package dev.lycoris4j.eval.run;

import dev.lycoris4j.eval.prompts.PromptType;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code lycoris eval} does; read from {@code eval.toml} by {@link EvalToml} (format in
 * docs/evaluation-run.md). A config without checkpoints holds only the settings (a sweep adds each run's checkpoints
 * with {@link #withCheckpoints}).
 *
 * @param tokenizer        tokenizer of a single-file base model, or null
 * @param dataset          {@code <category>/<class>[/<subclass>]/} folders of training images and captions
 * @param output           generated images go to {@code <output>/<checkpoint>/<category>/<class>[/<sub>]/<type>/}
 * @param results          the results CSV
 * @param prompts          the prompt tables (lycoris-eval-prompts.json format), or null for the built-in copy
 * @param captionExtension extension of the caption files that make the {@code <train>} prompts
 * @param images           images per prompt type and leaf (the reference: 100)
 * @param classes          dataset paths to evaluate ({@code anime/abukuma}, {@code scene}); empty for every leaf
 * @param agnosticPrompts  the concept-agnostic prompts, one per line; required when that type is evaluated
 */
public record EvalConfig(Path model, Path tokenizer, Path dataset, Path output, Path results, Path prompts,
                         String captionExtension, List<PromptType> promptTypes, int images, List<String> classes,
                         Path agnosticPrompts, GenerationSettings generation, EncoderSettings encoders,
                         List<Checkpoint> checkpoints) {

    /** The output folder of the base model's images (the reference set of style and agnostic prompts). */
    public static final String BASE_FOLDER = "base";

    /**
     * One adapter to evaluate.
     *
     * @param name   its output folder name
     * @param labels what the analysis knows it by
     */
    public record Checkpoint(String name, Path adapter, double scale, Labels labels) {
        public Checkpoint {
            if (name.isEmpty() || name.equals(BASE_FOLDER) || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
                throw new IllegalArgumentException("checkpoint name '" + name + "' is not a usable folder name"
                        + (name.equals(BASE_FOLDER) ? " ('" + BASE_FOLDER + "' holds the base model's images)" : ""));
            }
        }
    }

    /**
     * The hyper-parameter columns of the results CSV (docs/evaluation.md): NaN where a value does not apply
     * (full fine-tuning has no dim, LoRA no factor).
     *
     * @param seed  the training run's seed label ("a", "23")
     * @param epoch the training epoch of the checkpoint
     */
    public record Labels(String algo, String preset, double lr, double dim, double alpha, double factor, String seed,
                         int epoch) {}

    public EvalConfig {
        promptTypes = List.copyOf(promptTypes);
        classes = List.copyOf(classes);
        checkpoints = List.copyOf(checkpoints);
        if (promptTypes.isEmpty()) throw new IllegalArgumentException("prompt_types is empty");
        if (new HashSet<>(promptTypes).size() != promptTypes.size()) throw new IllegalArgumentException("prompt_types lists a type twice");
        if (images < 1) throw new IllegalArgumentException("images must be at least 1, got " + images);
        if (promptTypes.contains(PromptType.AGNOSTIC) && agnosticPrompts == null) {
            throw new IllegalArgumentException("prompt type agnostic needs agnostic_prompts (a file of prompts, one per line)");
        }
        if (promptTypes.contains(PromptType.STYLE) && encoders.vgg() == null) {
            throw new IllegalArgumentException("prompt type style is scored by the VGG19 style loss only: set vgg in [encoders]");
        }
        Set<String> names = new HashSet<>();
        Set<Labels> labels = new HashSet<>();
        for (Checkpoint c : checkpoints) {
            if (!names.add(c.name())) throw new IllegalArgumentException("two checkpoints are named '" + c.name() + "'");
            if (!labels.add(c.labels())) {
                throw new IllegalArgumentException("checkpoint '" + c.name() + "' has the same labels (algo … epoch) as another; "
                        + "the results CSV could not tell their rows apart");
            }
        }
    }

    /** The same settings with these checkpoints. */
    public EvalConfig withCheckpoints(List<Checkpoint> checkpoints) {
        return new EvalConfig(model, tokenizer, dataset, output, results, prompts, captionExtension, promptTypes, images,
                classes, agnosticPrompts, generation, encoders, checkpoints);
    }
}
