package dev.lycoris4j.eval.dreambench;

import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.encoders.ClipEncoder;
import dev.lycoris4j.eval.encoders.DinoEncoder;
import dev.lycoris4j.eval.image.ImageFiles;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.image.RgbImage;
import dev.lycoris4j.eval.metrics.DenseMatrix;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** CLIP-I, CLIP-T and DINO on the tiny golden encoders, against their definitions computed pair by pair. */
class DreamBenchScorerTest {
    private static ClipEncoder clip;
    private static DinoEncoder dino;
    private static DreamBenchScorer scorer;
    private static List<RgbImage> images;

    @BeforeAll
    static void load() {
        clip = ClipEncoder.load(Golden.path("eval/clip_tiny"), Golden.path("sd/sd15_tiny/tokenizer"));
        dino = DinoEncoder.load(Golden.path("eval/dinov2_tiny"), 32);
        scorer = new DreamBenchScorer(clip, dino);
        images = List.of("img0_320x240.png", "img1_229x347.png", "img2_128x94.png", "img4_250x250.png", "img5_97x203.png")
                .stream().map(f -> ImageFiles.readRgb(Golden.path("eval/images/" + f))).toList();
    }

    private static double cosine(DenseMatrix a, int i, DenseMatrix b, int j) {
        double dot = 0, aa = 0, bb = 0;
        for (int c = 0; c < a.cols(); c++) {
            dot += a.get(i, c) * b.get(j, c);
            aa += a.get(i, c) * a.get(i, c);
            bb += b.get(j, c) * b.get(j, c);
        }
        return dot / Math.sqrt(aa * bb);
    }

    private static DenseMatrix clipImages(List<RgbImage> list) {
        try (Tensor t = clip.encodeImages(list, ResizeMode.CENTER_CROP)) {
            return DenseMatrix.fromTensor(t);
        }
    }

    @Test
    void anImageAgainstItselfScoresOne() {
        SubjectScore s = scorer.score("same", images.subList(0, 1), images.subList(0, 1), List.of("a sks dog"));
        assertThat(s.clipI()).isCloseTo(1.0, within(1e-6));
        assertThat(s.dino()).isCloseTo(1.0, within(1e-6));
        assertThat(s.realImages()).isEqualTo(1);
    }

    @Test
    void clipIIsTheMeanOverAllRealGeneratedPairsAndClipTTheMeanOverImages() {
        List<RgbImage> real = images.subList(0, 2);
        List<RgbImage> generated = images.subList(2, 5);
        List<String> prompts = List.of("a sks dog in the jungle", "a sks dog in the snow", "a red sks dog");
        SubjectScore s = scorer.score("dog", real, generated, prompts);

        DenseMatrix r = clipImages(real);
        DenseMatrix g = clipImages(generated);
        double pairs = 0;
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) pairs += cosine(r, i, g, j);
        assertThat(s.clipI()).isCloseTo(pairs / 6, within(1e-9));

        DenseMatrix text;
        try (Tensor t = clip.encodeTexts(prompts)) {
            text = DenseMatrix.fromTensor(t);
        }
        double perImage = 0;
        for (int k = 0; k < 3; k++) perImage += cosine(text, k, g, k);
        assertThat(s.clipT()).isCloseTo(perImage / 3, within(1e-9));
        assertThat(s.dino()).isBetween(-1.0, 1.0).isNotCloseTo(s.clipI(), within(1e-6));
        assertThat(s.generatedImages()).isEqualTo(3);
    }

    @Test
    void overallIsTheMeanOverSubjects() {
        SubjectScore overall = SubjectScore.overall(List.of(new SubjectScore("a", 4, 100, 0.5, 0.25, 0.75),
                new SubjectScore("b", 6, 100, 0.7, 0.35, 0.25)));
        assertThat(overall).isEqualTo(new SubjectScore("overall", 10, 200, 0.6, 0.3, 0.5));
    }
}
