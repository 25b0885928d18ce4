package dev.lycoris4j.eval.run;

import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.analysis.CsvTable;
import dev.lycoris4j.eval.analysis.MetricKey;
import dev.lycoris4j.eval.analysis.ResultTable;
import dev.lycoris4j.eval.analysis.ResultsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code lycoris eval} end to end on the tiny golden models: SD1.5 with the golden kohya LoRA, 2 leaves
 * (a class, a sub-class) × 2 prompt types (alter, style), 2 images each at 64×64 and 2 steps, scored with
 * the tiny DINOv2, CLIP and VGG.
 */
class EvalRunnerTest {
    @TempDir
    Path dir;

    private static final List<String> METRICS = List.of(
            "Image Similarity (clip-tiny-crop)", "Image Similarity (clip-tiny-padding)",
            "Image Similarity (dinov2-tiny-crop)", "Image Similarity (dinov2-tiny-padding)",
            "Squared Centroid Distance (clip-tiny-crop)", "Squared Centroid Distance (clip-tiny-padding)",
            "Squared Centroid Distance (dinov2-tiny-crop)", "Squared Centroid Distance (dinov2-tiny-padding)",
            "Style Loss", "Text Similarity", "Vendi (clip-tiny)", "Vendi (dinov2-tiny)");

    private Path dataset() throws IOException {
        Path data = dir.resolve("data");
        String[][] files = {{"scene/scene_canal", "img0_320x240.png", "shld scene, front view"},
                {"scene/scene_canal", "img1_229x347.png", "shld scene, bare tree"},
                {"anime/abukuma/onex outfit", "img2_128x94.png", "whoo anime girl, onex outfit, smile"},
                {"anime/abukuma/none", "img3_300x100.png", "whoo anime girl"}};
        for (String[] f : files) {
            Path leaf = Files.createDirectories(data.resolve(f[0]));
            Files.copy(Golden.path("eval/images/" + f[1]), leaf.resolve(f[1]));
            Files.writeString(leaf.resolve(f[1].replace(".png", ".txt")), f[2] + "\n");
        }
        return data;
    }

    private Path config() throws IOException {
        dataset();
        return Files.writeString(dir.resolve("eval.toml"), """
                model = "%s"
                dataset = "data"
                output = "out"
                prompts = "%s"
                prompt_types = ["alter", "style"]
                images = 2
                classes = ["scene/scene_canal", "anime/abukuma/onex outfit"]
                [generation]
                steps = 2
                width = 64
                height = 64
                [encoders]
                dino = "%s"
                dino_size = 32
                dino_label = "dinov2-tiny"
                clip = "%s"
                clip_tokenizer = "%s"
                clip_label = "clip-tiny"
                vgg = "%s"
                reference_modes = ["padding", "crop"]
                [[checkpoints]]
                name = "lora-a-e10"
                adapter = "%s"
                algo = "lora"
                preset = "attn-mlp"
                lr = 5e-4
                dim = 8
                alpha = 4
                seed = "a"
                epoch = 10
                """.formatted(Golden.path("sd/sd15_tiny"), Golden.data("lycoris-eval-prompts.json"),
                Golden.path("eval/dinov2_tiny"), Golden.path("eval/clip_tiny"), Golden.path("sd/sd15_tiny/tokenizer"),
                Golden.path("eval/vgg_tiny.safetensors"), Golden.path("sd/lora_kohya_tiny.safetensors")));
    }

    @Test
    void generatesScoresAndResumes() throws IOException {
        EvalConfig config = EvalToml.read(config());
        List<String> log = new ArrayList<>();
        EvalRunner.Summary first = new EvalRunner(config, log::add).run(false);
        // 2 leaves × (2 alter + 2 style with the adapter + 2 style with the base model)
        assertThat(first).isEqualTo(new EvalRunner.Summary(12, 4, 0));
        Path out = dir.resolve("out");
        Path canalAlter = out.resolve("lora-a-e10/scene/scene_canal/alter");
        assertThat(canalAlter.resolve("0-1000.png")).exists();
        assertThat(canalAlter.resolve("1-1001.png")).exists();
        assertThat(out.resolve("base/anime/abukuma/onex outfit/style/1-1001.png")).exists();
        assertThat(out.resolve("base/scene/scene_canal/alter")).doesNotExist();
        assertThat(out.resolve("lora-a-e10/anime/abukuma/none")).doesNotExist();
        // image k belongs to prompt k (2 images over 10 alter prompts): the data file's first two canal templates
        GenerationSettings g = config.generation();
        assertThat(StoredImage.isCurrent(canalAlter.resolve("1-1001.png"), g.infotext(
                "shld scene against a backdrop of snow-capped mountains", 1001, "sd15_tiny", "lora_kohya_tiny.safetensors:1"), 64, 64)).isTrue();
        assertThat(StoredImage.isCurrent(out.resolve("base/scene/scene_canal/style/0-1000.png"), g.infotext(
                "shld scene in the style of pencil drawing", 1000, "sd15_tiny", null), 64, 64)).isTrue();

        Path results = out.resolve("results.csv");
        CsvTable csv = CsvTable.read(results);
        List<String> header = new ArrayList<>(ResultsReader.EVAL_COLUMNS);
        header.addAll(METRICS);
        header.add("images");
        assertThat(csv.header()).isEqualTo(header);
        assertThat(csv.rows()).extracting(r -> r.cell(8) + "/" + r.cell(9) + "/" + r.cell(10) + ":" + r.cell(11)).containsExactly(
                "scene/scene_canal/:out", "scene/scene_canal/:base model",
                "anime/abukuma/onex outfit:out", "anime/abukuma/onex outfit:base model");
        assertThat(csv.rows().getFirst().cells().subList(0, 8)).containsExactly("lora", "attn-mlp", "0.0005", "8", "4", "", "a", "10");
        assertThat(csv.rows().get(2).cell(header.indexOf("images"))).isEqualTo("lora-a-e10/anime/abukuma/onex outfit/alter");
        for (CsvTable.Row row : csv.rows()) {
            boolean style = row.cell(11).equals("base model");
            for (String metric : METRICS) {
                String cell = row.cell(header.indexOf(metric));
                // style rows carry only the style loss; alter rows everything else (no style loss outside the style category)
                assertThat(cell.isEmpty()).as(metric + " of " + row.cell(11)).isEqualTo(style != metric.equals("Style Loss"));
            }
            if (style) {
                assertThat(csv.number(row, header.indexOf("Style Loss"))).isGreaterThan(0);
                continue;
            }
            // one image per alter prompt: every per-prompt Vendi is exactly 1
            assertThat(csv.number(row, header.indexOf("Vendi (dinov2-tiny)"))).isCloseTo(1.0, within(1e-9));
            assertThat(csv.number(row, header.indexOf("Vendi (clip-tiny)"))).isCloseTo(1.0, within(1e-9));
            for (String metric : METRICS) {
                double v = csv.number(row, header.indexOf(metric));
                if (metric.startsWith("Image Similarity") || metric.startsWith("Text Similarity")) assertThat(v).isBetween(-1.0, 1.0);
                if (metric.startsWith("Squared Centroid")) assertThat(v).isBetween(0.0, 4.0);
            }
        }
        ResultTable table = ResultsReader.read(results, null, null);
        assertThat(table.rows()).hasSize(2);
        assertThat(table.metrics()).contains(new MetricKey("Style Loss", "Vgg19", "base model"),
                new MetricKey("Image Similarity", "dinov2-tiny-padding", "out"), new MetricKey("Text Similarity", "CLIP", "out"));

        // Run again: nothing generated, nothing scored, the CSV untouched.
        String written = Files.readString(results);
        FileTime imageTime = Files.getLastModifiedTime(canalAlter.resolve("0-1000.png"));
        assertThat(new EvalRunner(config, log::add).run(false)).isEqualTo(new EvalRunner.Summary(0, 0, 4));
        assertThat(Files.readString(results)).isEqualTo(written);
        assertThat(Files.getLastModifiedTime(canalAlter.resolve("0-1000.png"))).isEqualTo(imageTime);

        // Without the CSV and with one image truncated: that image alone is generated again, the values are the same.
        Files.delete(results);
        Path damaged = out.resolve("lora-a-e10/anime/abukuma/onex outfit/alter/1-1001.png");
        byte[] bytes = Files.readAllBytes(damaged);
        Files.write(damaged, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThat(new EvalRunner(config, log::add).run(false)).isEqualTo(new EvalRunner.Summary(1, 4, 0));
        CsvTable again = CsvTable.read(results);
        for (int r = 0; r < csv.rows().size(); r++) {
            for (int c = 0; c < header.size(); c++) {
                String before = csv.rows().get(r).cell(c);
                String after = again.rows().get(r).cell(c);
                if (METRICS.contains(header.get(c)) && !before.isEmpty()) {
                    assertThat(Double.parseDouble(after)).as(header.get(c)).isCloseTo(Double.parseDouble(before), within(1e-9));
                } else {
                    assertThat(after).isEqualTo(before);
                }
            }
        }
    }

    @Test
    void writesTheReferencePromptFiles() throws IOException {
        EvalConfig config = EvalToml.read(config());
        List<Path> files = new EvalRunner(config, s -> {}).writePrompts(dir.resolve("prompts"));
        Path onex = dir.resolve("prompts/anime/abukuma/onex outfit");
        assertThat(files).containsExactly(dir.resolve("prompts/scene/scene_canal/out_dist_prompts.txt"),
                dir.resolve("prompts/scene/scene_canal/style_prompts.txt"), onex.resolve("out_dist_prompts.txt"),
                onex.resolve("out_dist_prompts_tags.txt"), onex.resolve("style_prompts.txt"));
        List<String> tags = Files.readAllLines(onex.resolve("out_dist_prompts_tags.txt"));
        assertThat(tags).hasSize(10);
        assertThat(tags.getFirst()).isEqualTo("whoo anime girl, onex outfit, running, cherry blossoms, street, sunset ");
        assertThat(Files.readString(onex.resolve("style_prompts.txt"))).startsWith("whoo anime girl, onex outfit in the style of pencil drawing\n");
    }
}
