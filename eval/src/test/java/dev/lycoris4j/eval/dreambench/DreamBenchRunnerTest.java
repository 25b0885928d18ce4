package dev.lycoris4j.eval.dreambench;

import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.analysis.CsvTable;
import dev.lycoris4j.eval.run.GenerationSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner's plumbing on a two-prompt table (the full 30 × 100 images are for GPUs): images per subject
 * with seeds counted from the first, the golden LoRA as the subject's adapter, the CSV, and a resumed run.
 */
class DreamBenchRunnerTest {
    @TempDir
    Path dir;

    @Test
    void generatesScoresAndKeepsExistingImages() throws IOException {
        Path table = Files.writeString(dir.resolve("bench.json"), """
                {"subjects": [{"subject": "dog", "class": "dog", "live": true, "num_images": 2}],
                 "object_prompts": ["a {unique_token} {class_token} on the beach"],
                 "live_subject_prompts": ["a {unique_token} {class_token} in the snow", "a red {unique_token} {class_token}"],
                 "images_per_prompt": 2}
                """);
        Path real = Files.createDirectories(dir.resolve("dataset/dog"));
        Files.copy(Golden.path("eval/images/img0_320x240.png"), real.resolve("00.png"));
        Files.copy(Golden.path("eval/images/img4_250x250.png"), real.resolve("01.png"));
        Path adapters = Files.createDirectories(dir.resolve("adapters"));
        Files.copy(Golden.path("sd/lora_kohya_tiny.safetensors"), adapters.resolve("dog.safetensors"));
        GenerationSettings generation = new GenerationSettings("ddim", 2, 7, 64, 64, 1000, "", 1, "cpu", null, false);
        DreamBenchOptions options = new DreamBenchOptions(Golden.path("sd/sd15_tiny"), null, dir.resolve("dataset"), adapters, 1,
                dir.resolve("out"), table, "sks", List.of(), generation, Golden.path("eval/clip_tiny"),
                Golden.path("sd/sd15_tiny/tokenizer"), Golden.path("eval/dinov2_tiny"), 32);

        List<String> log = new ArrayList<>();
        List<SubjectScore> scores = new DreamBenchRunner(options, log::add).run();
        // 2 prompts × 2 images, image k seeded 1000 + k
        assertThat(dir.resolve("out/dog")).isDirectoryContaining(p -> p.getFileName().toString().equals("0-1000.png"))
                .isDirectoryContaining(p -> p.getFileName().toString().equals("3-1003.png"));
        assertThat(log).filteredOn(l -> l.startsWith("[")).hasSize(4);
        assertThat(scores).extracting(SubjectScore::subject).containsExactly("dog", "overall");
        assertThat(scores.getFirst().realImages()).isEqualTo(2);
        assertThat(scores.getFirst().generatedImages()).isEqualTo(4);

        CsvTable csv = CsvTable.read(dir.resolve("out/dreambench.csv"));
        assertThat(csv.header()).containsExactly("subject", "class", "live", "real_images", "generated_images", "CLIP-I", "CLIP-T", "DINO");
        assertThat(csv.rows()).hasSize(2);
        assertThat(csv.rows().getFirst().cells().subList(0, 5)).containsExactly("dog", "dog", "true", "2", "4");
        assertThat(csv.number(csv.rows().getFirst(), 5)).isEqualTo(scores.getFirst().clipI());
        // one subject: the overall row repeats it
        assertThat(csv.rows().get(1).cells().subList(5, 8)).isEqualTo(csv.rows().getFirst().cells().subList(5, 8));

        log.clear();
        List<SubjectScore> again = new DreamBenchRunner(options, log::add).run();
        assertThat(log).filteredOn(l -> l.startsWith("[")).isEmpty();
        assertThat(again).isEqualTo(scores);
    }
}
