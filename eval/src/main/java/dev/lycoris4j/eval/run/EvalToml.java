package dev.lycoris4j.eval.run;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.prompts.PromptType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** Reads {@code eval.toml} (docs/evaluation-run.md) into an {@link EvalConfig}. */
public final class EvalToml {
    private EvalToml() {}

    /** eval.toml's keys other than {@code [[checkpoints]]}: the settings of an evaluation. */
    public static final Set<String> SETTINGS = Set.of("model", "tokenizer", "dataset", "output", "results", "prompts",
            "caption_extension", "prompt_types", "images", "classes", "agnostic_prompts", "generation", "encoders");
    private static final Set<String> TOP = union(SETTINGS, "checkpoints");
    private static final Set<String> GENERATION = Set.of("sampler", "steps", "cfg", "width", "height", "seed",
            "negative_prompt", "clip_skip", "device", "dtype", "bypass");
    private static final Set<String> ENCODERS = Set.of("dino", "dino_size", "dino_label", "clip", "clip_tokenizer",
            "clip_label", "vgg", "reference_modes");
    private static final Set<String> CHECKPOINT = Set.of("name", "adapter", "scale", "algo", "preset", "lr", "dim",
            "alpha", "factor", "seed", "epoch");

    public static EvalConfig read(Path file) {
        TomlTable top = TomlTable.read(file).allowOnly(TOP);
        EvalConfig settings = settings(top, null, null);
        return located(top, () -> {
            List<EvalConfig.Checkpoint> checkpoints = checkpoints(top);
            if (checkpoints.isEmpty()) throw new IllegalArgumentException("no [[checkpoints]] to evaluate");
            return settings.withCheckpoints(checkpoints);
        });
    }

    /**
     * The settings keys ({@link #SETTINGS}) of table {@code t}, which may be a table of another config (a sweep's
     * {@code [eval]}; check its keys with {@link TomlTable#allowOnly} first), with no checkpoints yet: add them with
     * {@link EvalConfig#withCheckpoints}. {@code model} and {@code output} are the defaults of those keys; null makes
     * the key required. {@code results} defaults to {@code <output>/results.csv}.
     */
    public static EvalConfig settings(TomlTable t, Path model, Path output) {
        return located(t, () -> {
            Path out = t.has("output") || output == null ? t.requiredPath("output") : output;
            Path results = t.path("results");
            List<PromptType> types = new ArrayList<>();
            for (String id : t.strings("prompt_types", List.of("train", "trigger", "alter", "style"))) {
                types.add(PromptType.fromId(id));
            }
            return new EvalConfig(t.has("model") || model == null ? t.requiredPath("model") : model, t.path("tokenizer"),
                    t.requiredPath("dataset"), out, results != null ? results : out.resolve("results.csv"), t.path("prompts"),
                    t.string("caption_extension", ".txt"), types, t.integer("images", 100), t.strings("classes", List.of()),
                    t.path("agnostic_prompts"), generation(t.table("generation")), encoders(t.table("encoders")), List.of());
        });
    }

    private static GenerationSettings generation(TomlTable t) {
        t.allowOnly(GENERATION);
        GenerationSettings d = GenerationSettings.REFERENCE;
        String dtype = t.string("dtype", null);
        return new GenerationSettings(t.string("sampler", d.sampler()), t.integer("steps", d.steps()),
                t.number("cfg", d.cfg()), t.integer("width", d.width()), t.integer("height", d.height()),
                t.longInteger("seed", d.seed()), t.string("negative_prompt", d.negativePrompt()),
                t.integer("clip_skip", d.clipSkip()), t.string("device", d.device()),
                dtype == null ? null : DType.parseUserName(dtype), t.bool("bypass", d.bypass()));
    }

    private static EncoderSettings encoders(TomlTable t) {
        t.allowOnly(ENCODERS);
        List<ResizeMode> modes = new ArrayList<>();
        for (String name : t.strings("reference_modes", List.of())) modes.add(ResizeMode.fromReferenceName(name));
        return new EncoderSettings(t.path("dino"), t.integer("dino_size", 224), t.string("dino_label", null),
                t.path("clip"), t.path("clip_tokenizer"), t.string("clip_label", null), t.path("vgg"),
                modes.isEmpty() ? EncoderSettings.REFERENCE_MODES : modes);
    }

    /** Runs {@code read}; the records' checks do not name the file and table, so their errors get {@code t}'s. */
    private static <T> T located(TomlTable t, Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw t.locate(e);
        }
    }

    private static Set<String> union(Set<String> keys, String more) {
        Set<String> out = new HashSet<>(keys);
        out.add(more);
        return Set.copyOf(out);
    }

    private static List<EvalConfig.Checkpoint> checkpoints(TomlTable top) {
        List<EvalConfig.Checkpoint> out = new ArrayList<>();
        for (TomlTable t : top.tables("checkpoints")) {
            t.allowOnly(CHECKPOINT);
            double lr = t.number("lr", Double.NaN);
            if (Double.isNaN(lr)) throw t.error("'lr' is required");
            EvalConfig.Labels labels = new EvalConfig.Labels(t.requiredString("algo"), t.requiredString("preset"), lr,
                    t.number("dim", Double.NaN), t.number("alpha", Double.NaN), t.number("factor", Double.NaN),
                    t.label("seed"), t.integer("epoch", -1));
            if (labels.epoch() < 0) throw t.error("'epoch' is required (a non-negative integer)");
            out.add(new EvalConfig.Checkpoint(t.requiredString("name"), t.requiredPath("adapter"), t.number("scale", 1), labels));
        }
        return out;
    }
}
