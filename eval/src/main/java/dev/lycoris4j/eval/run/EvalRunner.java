package dev.lycoris4j.eval.run;

import dev.lycoris4j.core.io.AtomicFiles;
import dev.lycoris4j.eval.analysis.Concept;
import dev.lycoris4j.eval.prompts.Captions;
import dev.lycoris4j.eval.prompts.PromptCatalog;
import dev.lycoris4j.eval.prompts.PromptType;
import dev.lycoris4j.eval.score.ImageSets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code lycoris eval}: for every checkpoint × leaf × prompt type, generates the images that are not on disk
 * yet ({@code <output>/<checkpoint>/<category>/<class>[/<sub>]/<type>/NNN-seed.png}), scores them and writes
 * the row into the results CSV. Base-model images (the reference set of style and agnostic prompts) go to
 * {@code <output>/base/…} and serve every checkpoint. A run can stop at any point and start again: images
 * already generated are kept, rows already complete are not scored again.
 */
public final class EvalRunner {
    /** What a run did. */
    public record Summary(int generated, int scored, int upToDate) {}

    /** One results row: a checkpoint, a leaf, a prompt type, its images and (base-model types) the base model's. */
    private record Row(EvalConfig.Checkpoint checkpoint, DatasetLeaves.Leaf leaf, PromptType type, ImageSet images,
                       ImageSet base) {}

    private final EvalConfig config;
    private final Consumer<String> log;
    private final PromptCatalog catalog;
    private final List<DatasetLeaves.Leaf> leaves;
    private final List<String> agnostic;

    public EvalRunner(EvalConfig config, Consumer<String> log) {
        this.config = config;
        this.log = log;
        this.catalog = config.prompts() == null ? PromptCatalog.builtIn() : PromptCatalog.load(config.prompts());
        this.leaves = DatasetLeaves.find(config.dataset(), config.classes());
        this.agnostic = config.agnosticPrompts() == null ? List.of() : readPromptList(config.agnosticPrompts());
    }

    public Summary run(boolean rescore) {
        List<Row> rows = plan();
        Set<Path> generated = generate(rows);
        return score(rows, generated, rescore);
    }

    /**
     * Writes each leaf's prompt files as the reference's prompt tree has them ({@code <dir>/<leaf>/<stem>.txt},
     * one prompt per line), plus {@code out_dist_prompts_tags.txt} where tag templates exist; nothing is generated.
     */
    public List<Path> writePrompts(Path dir) {
        List<Path> written = new ArrayList<>();
        for (DatasetLeaves.Leaf leaf : leaves) {
            Path folder = dir.resolve(leaf.concept().path());
            for (PromptType type : config.promptTypes()) {
                Optional<List<String>> prompts = prompts(type, leaf);
                if (prompts.isPresent()) written.add(writeLines(folder.resolve(type.fileStem() + ".txt"), prompts.get()));
                if (type == PromptType.ALTER) {
                    Optional<List<String>> tags = catalog.alterTagPrompts(leaf.concept());
                    if (tags.isPresent()) written.add(writeLines(folder.resolve(type.fileStem() + "_tags.txt"), tags.get()));
                }
            }
        }
        return written;
    }

    /** The prompts of a type for a leaf; empty where the leaf has none (no {@code <style>} for style classes). */
    private Optional<List<String>> prompts(PromptType type, DatasetLeaves.Leaf leaf) {
        return switch (type) {
            case TRAIN -> Optional.of(Captions.read(leaf.dir(), config.captionExtension()));
            case AGNOSTIC -> Optional.of(agnostic);
            case TRIGGER, ALTER, STYLE -> catalog.hasTemplates(type, leaf.concept())
                    ? Optional.of(catalog.prompts(type, leaf.concept())) : Optional.empty();
        };
    }

    private List<Row> plan() {
        List<Row> rows = new ArrayList<>();
        long seed = config.generation().seed();
        for (DatasetLeaves.Leaf leaf : leaves) {
            for (PromptType type : config.promptTypes()) {
                Optional<List<String>> prompts = prompts(type, leaf);
                if (prompts.isEmpty()) continue;
                ImageSet base = type.versusBaseModel()
                        ? ImageSet.plan(folder(EvalConfig.BASE_FOLDER, leaf.concept(), type), prompts.get(), config.images(), seed)
                        : null;
                for (EvalConfig.Checkpoint c : config.checkpoints()) {
                    rows.add(new Row(c, leaf, type, ImageSet.plan(folder(c.name(), leaf.concept(), type), prompts.get(),
                            config.images(), seed), base));
                }
            }
        }
        return rows;
    }

    private Path folder(String tree, Concept leaf, PromptType type) {
        return config.output().resolve(tree).resolve(leaf.path()).resolve(type.id());
    }

    /** Base-model images first (one set per leaf and type), then each checkpoint's with its adapter applied once. */
    private Set<Path> generate(List<Row> rows) {
        ImageGenerator generator = new ImageGenerator(config.model(), config.tokenizer(), config.generation(), log);
        Set<Path> generated = new HashSet<>();
        List<ImageGenerator.Planned> base = new ArrayList<>();
        Set<Path> baseDirs = new HashSet<>();
        for (Row r : rows) {
            if (r.base() != null && baseDirs.add(r.base().dir())) base.addAll(r.base().images());
        }
        generated.addAll(generator.ensure(base, null));
        for (EvalConfig.Checkpoint c : config.checkpoints()) {
            List<ImageGenerator.Planned> images = new ArrayList<>();
            for (Row r : rows) if (r.checkpoint() == c) images.addAll(r.images().images());
            generated.addAll(generator.ensure(images, new ImageGenerator.AdapterUse(c.adapter(), c.scale())));
        }
        log.accept("generated " + generated.size() + " images");
        return generated;
    }

    private Summary score(List<Row> rows, Set<Path> generated, boolean rescore) {
        ResultsCsv csv = ResultsCsv.open(config.results());
        RowScorer scorer = new RowScorer(config.encoders().load(), config.encoders().referenceModes(), catalog.textProcessing());
        int scored = 0;
        int upToDate = 0;
        DatasetLeaves.Leaf current = null;
        FeatureSet dataset = null;
        Map<PromptType, FeatureSet> base = new EnumMap<>(PromptType.class);
        for (Row r : rows) {
            Map<String, String> labels = labels(r);
            boolean fresh = r.images().files().stream().anyMatch(generated::contains)
                    || (r.base() != null && r.base().files().stream().anyMatch(generated::contains));
            if (!rescore && !fresh && csv.isComplete(labels, scorer.columns(r.type(), r.leaf().concept()))) {
                upToDate++;
                continue;
            }
            if (r.leaf() != current) {
                // Rows are planned leaf by leaf: a leaf's features are dropped once its rows are done.
                current = r.leaf();
                dataset = new FeatureSet(ImageSets.files(current.dir(), "dataset"));
                base.clear();
            }
            FeatureSet reference = r.base() == null ? dataset
                    : base.computeIfAbsent(r.type(), t -> new FeatureSet(r.base().files()));
            Map<String, Double> metrics = scorer.score(r.type(), r.leaf().concept(), new FeatureSet(r.images().files()),
                    reference, r.images());
            csv.put(labels, metrics, imagesCell(r.images().dir()));
            scored++;
            log.accept("scored " + r.checkpoint().name() + " " + r.leaf().concept().path() + " " + r.type().id());
        }
        log.accept(scored + " rows scored, " + upToDate + " already in " + config.results());
        return new Summary(generated.size(), scored, upToDate);
    }

    /** The explicit columns of the row (docs/evaluation.md). */
    private static Map<String, String> labels(Row r) {
        EvalConfig.Labels l = r.checkpoint().labels();
        Concept c = r.leaf().concept();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("algo", l.algo());
        out.put("preset", l.preset());
        out.put("lr", ResultsCsv.label(l.lr()));
        out.put("dim", ResultsCsv.label(l.dim()));
        out.put("alpha", ResultsCsv.label(l.alpha()));
        out.put("factor", ResultsCsv.label(l.factor()));
        out.put("seed", l.seed());
        out.put("epoch", Integer.toString(l.epoch()));
        out.put("category", c.category());
        out.put("class", c.cls());
        out.put("subclass", c.subclass());
        out.put("prompt_type", r.type().condition());
        return out;
    }

    /** The images folder relative to the CSV's folder, with '/' separators (what the analysis resolves). */
    private String imagesCell(Path dir) {
        Path relative = config.results().toAbsolutePath().getParent().relativize(dir.toAbsolutePath());
        return relative.toString().replace('\\', '/');
    }

    /** A prompt file: one prompt per line; blank lines are skipped. */
    private static List<String> readPromptList(Path file) {
        List<String> out;
        try {
            out = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read prompts " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no prompts");
        return out;
    }

    private static Path writeLines(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.writeString(file, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }
}
