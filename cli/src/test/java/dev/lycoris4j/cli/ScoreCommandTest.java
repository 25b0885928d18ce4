package dev.lycoris4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.encoders.ClipEncoder;
import dev.lycoris4j.eval.encoders.DinoEncoder;
import dev.lycoris4j.eval.encoders.VggGramEncoder;
import dev.lycoris4j.eval.image.ImageFiles;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.image.RgbImage;
import dev.lycoris4j.eval.metrics.DenseMatrix;
import dev.lycoris4j.eval.metrics.ImageSimilarity;
import dev.lycoris4j.eval.metrics.StyleLoss;
import dev.lycoris4j.eval.metrics.TextImageSimilarity;
import dev.lycoris4j.eval.metrics.Vendi;
import dev.lycoris4j.eval.score.PromptProcessing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.lycoris4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code lycoris score} end to end on the golden PNGs with the tiny CLIP, DINOv2 and VGG checkpoints. */
class ScoreCommandTest {
    private static final Path IMAGES = Golden.path("eval/images");
    private static final Path CLIP = Golden.path("eval/clip_tiny");
    private static final Path TOKENIZER = Golden.path("sd/sd15_tiny/tokenizer");
    private static final Path DINO = Golden.path("eval/dinov2_tiny");
    private static final Path VGG = Golden.path("eval/vgg_tiny.safetensors");
    private static final List<String> GENERATED = List.of("img0_320x240.png", "img1_229x347.png", "img2_128x94.png");
    private static final List<String> REFERENCE = List.of("img3_300x100.png", "img4_250x250.png", "img5_97x203.png");
    private static final String PROMPTS = "a photo of sks dog\nof a castle at night, ,\n\n";

    @TempDir
    static Path dir;
    private static Path generated;
    private static Path reference;
    private static Path prompts;

    @BeforeAll
    static void folders() throws Exception {
        generated = Files.createDirectories(dir.resolve("gen"));
        reference = Files.createDirectories(dir.resolve("ref"));
        // Copied under names whose order differs from the source names': the command must sort.
        for (int i = 0; i < 3; i++) {
            Files.copy(IMAGES.resolve(GENERATED.get(i)), generated.resolve("00" + i + "-" + GENERATED.get(i)));
            Files.copy(IMAGES.resolve(REFERENCE.get(i)), reference.resolve(REFERENCE.get(i)));
        }
        Files.writeString(generated.resolve("000-img0_320x240.txt"), "infotext, not an image");
        prompts = Files.writeString(dir.resolve("prompts.txt"), PROMPTS);
    }

    private static String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("score", "--generated", generated.toString(), "--reference", reference.toString(),
                "--clip", CLIP.toString(), "--clip-tokenizer", TOKENIZER.toString(), "--dino", DINO.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    private static List<RgbImage> read(List<String> names) {
        return names.stream().map(n -> ImageFiles.readRgb(IMAGES.resolve(n))).toList();
    }

    /** The JSON equals the metrics computed here directly from the encoders and the metrics API. */
    @Test
    void jsonMatchesTheMetricsComputedThroughTheApi() throws Exception {
        CliRun r = run(args("--prompts", prompts.toString(), "--vgg", VGG.toString(), "--resize", "crop", "--json"));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());

        List<RgbImage> gen = read(GENERATED);
        List<RgbImage> ref = read(REFERENCE);
        DinoEncoder dino = DinoEncoder.load(DINO, 224);
        ClipEncoder clip = ClipEncoder.load(CLIP, TOKENIZER);
        DenseMatrix dinoGen = DenseMatrix.fromTensor(dino.encodeImages(gen, ResizeMode.STRETCH));
        ImageSimilarity.Result dinoSim = ImageSimilarity.compute(
                DenseMatrix.fromTensor(dino.encodeImages(ref, ResizeMode.CENTER_CROP)), dinoGen);
        DenseMatrix clipGen = DenseMatrix.fromTensor(clip.encodeImages(gen, ResizeMode.STRETCH));
        ImageSimilarity.Result clipSim = ImageSimilarity.compute(
                DenseMatrix.fromTensor(clip.encodeImages(ref, ResizeMode.CENTER_CROP)), clipGen);
        // Line 2: the newline shields the commas from the strip, "of " goes, whitespace collapses
        // (no ", , " remains once the newline is gone); line 3 is an empty prompt.
        List<String> texts = List.of("a photo of sks dog", "a castle at night, ,", "");
        assertThat(PromptProcessing.lines(PROMPTS).stream().map(PromptProcessing.CLEANUP_ONLY::process).toList()).isEqualTo(texts);
        double text = TextImageSimilarity.mean(DenseMatrix.fromTensor(clip.encodeTexts(texts)), clipGen);
        VggGramEncoder vgg = VggGramEncoder.load(VGG);
        double style = StyleLoss.allPairs(DenseMatrix.fromTensor(vgg.encodeImages(ref, ResizeMode.CENTER_CROP)),
                DenseMatrix.fromTensor(vgg.encodeImages(gen, ResizeMode.STRETCH)));

        assertThat(json.get("generated_images").asInt()).isEqualTo(3);
        assertThat(json.get("reference_images").asInt()).isEqualTo(3);
        assertThat(json.get("reference_resize").asText()).isEqualTo("crop");
        assertThat(json.get("image_similarity").asDouble()).isCloseTo(dinoSim.imageSimilarity(), within(1e-9));
        assertThat(json.get("centroid_distance").asDouble()).isCloseTo(dinoSim.squaredCentroidDistance(), within(1e-9));
        assertThat(json.get("clip_image_similarity").asDouble()).isCloseTo(clipSim.imageSimilarity(), within(1e-9));
        assertThat(json.get("clip_centroid_distance").asDouble()).isCloseTo(clipSim.squaredCentroidDistance(), within(1e-9));
        assertThat(json.get("vendi").asDouble()).isCloseTo(Vendi.score(dinoGen), within(1e-9));
        assertThat(json.get("clip_vendi").asDouble()).isCloseTo(Vendi.score(clipGen), within(1e-9));
        assertThat(json.get("text_similarity").asDouble()).isCloseTo(text, within(1e-9));
        assertThat(json.get("style_loss").asDouble()).isCloseTo(style, within(1e-9 * Math.max(1, style)));
    }

    /** One small image per side keeps this run cheap. */
    @Test
    void optionalMetricsAreAbsentWithoutTheirInputs() throws Exception {
        Path gen = Files.createDirectories(dir.resolve("gen1"));
        Path ref = Files.createDirectories(dir.resolve("ref1"));
        Files.copy(IMAGES.resolve("img2_128x94.png"), gen.resolve("a.png"));
        Files.copy(IMAGES.resolve("img5_97x203.png"), ref.resolve("b.png"));
        CliRun r = run("score", "--generated", gen.toString(), "--reference", ref.toString(), "--clip", CLIP.toString(),
                "--dino", DINO.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.has("text_similarity")).isFalse();
        assertThat(json.has("style_loss")).isFalse();
        assertThat(json.get("reference_resize").asText()).isEqualTo("letterbox");
        assertThat(json.get("generated_images").asInt()).isEqualTo(1);
        // A single generated image is one distinct sample.
        assertThat(json.get("vendi").asDouble()).isCloseTo(1.0, within(1e-9));
        assertThat(json.get("image_similarity").isNumber()).isTrue();
    }

    private static void assertOneLineError(CliRun r, int code, String... fragments) {
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).doesNotContain("\n").startsWith("lycoris: ");
        for (String f : fragments) assertThat(r.err()).contains(f);
    }

    @Test
    void badInputsGiveOneLineErrors() throws Exception {
        Path missing = dir.resolve("nowhere");
        assertOneLineError(run("score", "--generated", missing.toString(), "--reference", reference.toString(),
                "--clip", CLIP.toString(), "--dino", DINO.toString()), 1, "generated image folder not found", missing.toString());

        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.copy(IMAGES.resolve(GENERATED.getFirst()), broken.resolve("a.png"));
        Files.writeString(broken.resolve("b.png"), "not an image");
        assertOneLineError(run("score", "--generated", broken.toString(), "--reference", reference.toString(),
                "--clip", CLIP.toString(), "--dino", DINO.toString()), 1, broken.resolve("b.png").toString());

        Path twoPrompts = Files.writeString(dir.resolve("two.txt"), "a\nb\n");
        assertOneLineError(run(args("--prompts", twoPrompts.toString())), 1, "2 prompts", "3 images", twoPrompts.toString());

        assertOneLineError(run(args("--resize", "squash")), 2, "--resize");
    }
}
