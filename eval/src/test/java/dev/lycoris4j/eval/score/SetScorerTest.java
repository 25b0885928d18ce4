package dev.lycoris4j.eval.score;

import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.encoders.ClipEncoder;
import dev.lycoris4j.eval.encoders.DinoEncoder;
import dev.lycoris4j.eval.image.ImageFiles;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.image.RgbImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Invariants of the scorer on the tiny encoders (the CLI test checks values against the metrics API). */
class SetScorerTest {
    private static SetScorer scorer;
    private static List<RgbImage> images;

    @BeforeAll
    static void load() {
        ClipEncoder clip = ClipEncoder.load(Golden.path("eval/clip_tiny"), Golden.path("sd/sd15_tiny/tokenizer"));
        DinoEncoder dino = DinoEncoder.load(Golden.path("eval/dinov2_tiny"), 56);
        scorer = new SetScorer(dino, clip, null, ResizeMode.STRETCH, PromptProcessing.CLEANUP_ONLY);
        images = List.of(ImageFiles.readRgb(Golden.path("eval/images/img0_320x240.png")),
                ImageFiles.readRgb(Golden.path("eval/images/img3_300x100.png")),
                ImageFiles.readRgb(Golden.path("eval/images/img5_97x203.png")));
    }

    /** A set against itself, preprocessed alike: the centroids coincide, so SCD = 0 and similarity = ‖c‖² ≤ 1. */
    @Test
    void aSetAgainstItselfHasNoCentroidDistance() {
        SetScore s = scorer.score(images, images, null);
        assertThat(s.centroidDistance()).isCloseTo(0, within(1e-12));
        assertThat(s.clipCentroidDistance()).isCloseTo(0, within(1e-12));
        assertThat(s.imageSimilarity()).isPositive().isLessThanOrEqualTo(1 + 1e-12);
        assertThat(s.vendi()).isBetween(1.0, 3.0 + 1e-9);
        assertThat(s.textSimilarity()).isEmpty();
        assertThat(s.styleLoss()).isEmpty();
        assertThat(s.generatedImages()).isEqualTo(3);
    }

    @Test
    void promptCountMustMatchTheGeneratedImages() {
        assertThatThrownBy(() -> scorer.score(images, images, List.of("a\n", "b\n")))
                .hasMessage("2 prompts for 3 generated images");
    }
}
