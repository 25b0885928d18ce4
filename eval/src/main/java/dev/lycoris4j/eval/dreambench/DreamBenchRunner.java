package dev.lycoris4j.eval.dreambench;

import dev.lycoris4j.core.io.AtomicFiles;
import dev.lycoris4j.eval.analysis.CsvTable;
import dev.lycoris4j.eval.encoders.ClipEncoder;
import dev.lycoris4j.eval.encoders.DinoEncoder;
import dev.lycoris4j.eval.run.ImageGenerator;
import dev.lycoris4j.eval.run.ImageSet;
import dev.lycoris4j.eval.score.ImageSets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code lycoris dreambench}: the DreamBooth protocol. Per subject, its 25 prompts × 4 images are generated
 * (with the subject's adapter), those already on disk kept; then CLIP-I, CLIP-T and DINO are computed per
 * subject and overall and written to {@code dreambench.csv}.
 */
public final class DreamBenchRunner {
    public static final String RESULTS = "dreambench.csv";

    private final DreamBenchOptions options;
    private final Consumer<String> log;
    private final DreamBench bench;

    public DreamBenchRunner(DreamBenchOptions options, Consumer<String> log) {
        this.options = options;
        this.log = log;
        this.bench = options.data() == null ? DreamBench.builtIn() : DreamBench.load(options.data());
    }

    /** Generates what is missing, scores every subject; returns the per-subject scores, then the overall row. */
    public List<SubjectScore> run() {
        List<DreamBench.Subject> subjects = options.subjects().isEmpty() ? bench.subjects()
                : options.subjects().stream().map(bench::subject).toList();
        ImageGenerator generator = new ImageGenerator(options.model(), options.tokenizer(), options.generation(), log);
        List<ImageSet> sets = new ArrayList<>();
        for (DreamBench.Subject s : subjects) {
            List<String> prompts = bench.prompts(s, options.uniqueToken());
            ImageSet set = ImageSet.plan(options.output().resolve(s.name()), prompts, prompts.size() * bench.imagesPerPrompt(),
                    options.generation().seed());
            generator.ensure(set.images(), adapter(s));
            sets.add(set);
        }
        DreamBenchScorer scorer = new DreamBenchScorer(ClipEncoder.load(options.clip(), options.clipTokenizer()),
                DinoEncoder.load(options.dino(), options.dinoSize()));
        List<SubjectScore> scores = new ArrayList<>();
        for (int i = 0; i < subjects.size(); i++) {
            DreamBench.Subject s = subjects.get(i);
            ImageSet set = sets.get(i);
            SubjectScore score = scorer.score(s.name(), ImageSets.read(ImageSets.files(options.dataset().resolve(s.name()),
                    "DreamBench subject")), ImageSets.read(set.files()), set.imagePrompts());
            log.accept(String.format(Locale.ROOT, "%s: CLIP-I %.4f, CLIP-T %.4f, DINO %.4f", s.name(),
                    score.clipI(), score.clipT(), score.dino()));
            scores.add(score);
        }
        scores.add(SubjectScore.overall(scores));
        write(subjects, scores);
        return scores;
    }

    private ImageGenerator.AdapterUse adapter(DreamBench.Subject s) {
        if (options.adapters() == null) return null;
        Path file = options.adapters().resolve(s.name() + ".safetensors");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no adapter for subject " + s.name() + ": " + file + " not found");
        }
        return new ImageGenerator.AdapterUse(file, options.scale());
    }

    /** One row per subject and a last row {@code overall}; rewritten whole, atomically, each run. */
    private void write(List<DreamBench.Subject> subjects, List<SubjectScore> scores) {
        StringBuilder out = new StringBuilder(CsvTable.formatRow(List.of("subject", "class", "live", "real_images",
                "generated_images", "CLIP-I", "CLIP-T", "DINO")));
        for (int i = 0; i < scores.size(); i++) {
            SubjectScore s = scores.get(i);
            boolean overall = i == subjects.size();
            out.append(CsvTable.formatRow(List.of(s.subject(), overall ? "" : subjects.get(i).cls(),
                    overall ? "" : Boolean.toString(subjects.get(i).live()), Integer.toString(s.realImages()),
                    Integer.toString(s.generatedImages()), Double.toString(s.clipI()), Double.toString(s.clipT()),
                    Double.toString(s.dino()))));
        }
        Path file = options.output().resolve(RESULTS);
        try {
            Files.createDirectories(options.output());
            AtomicFiles.writeString(file, out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        log.accept("wrote " + file);
    }
}
