package dev.lycoris4j.eval.score;

import dev.lycoris4j.eval.encoders.ClipEncoder;
import dev.lycoris4j.eval.encoders.Encoder;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.image.RgbImage;
import dev.lycoris4j.eval.metrics.DenseMatrix;
import dev.lycoris4j.eval.metrics.ImageSimilarity;
import dev.lycoris4j.eval.metrics.StyleLoss;
import dev.lycoris4j.eval.metrics.TextImageSimilarity;
import dev.lycoris4j.eval.metrics.Vendi;
import org.bytedeco.pytorch.Tensor;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Scores one generated image set against a reference set: generated images are preprocessed with
 * the 'resize' mode (LyCORIS-evaluation's choice for its square generations), reference images with
 * the caller's mode (the paper's headline numbers use letterbox).
 */
public final class SetScorer {
    private final Encoder dino;
    private final ClipEncoder clip;
    private final Encoder vgg;
    private final ResizeMode referenceMode;
    private final PromptProcessing prompts;

    /** @param vgg the VGG19-Gram encoder, or null for no style loss */
    public SetScorer(Encoder dino, ClipEncoder clip, Encoder vgg, ResizeMode referenceMode, PromptProcessing prompts) {
        this.dino = Objects.requireNonNull(dino, "dino");
        this.clip = Objects.requireNonNull(clip, "clip");
        this.vgg = vgg;
        this.referenceMode = Objects.requireNonNull(referenceMode, "referenceMode");
        this.prompts = Objects.requireNonNull(prompts, "prompts");
    }

    /**
     * @param promptLines null, or one raw prompt-file line per generated image (as {@link PromptProcessing#lines}
     *                    gives them), line k belonging to image k
     */
    public SetScore score(List<RgbImage> generated, List<RgbImage> reference, List<String> promptLines) {
        if (generated.isEmpty() || reference.isEmpty()) throw new IllegalArgumentException("both image sets need images");
        if (promptLines != null && promptLines.size() != generated.size()) {
            throw new IllegalArgumentException(promptLines.size() + " prompts for " + generated.size() + " generated images");
        }
        DenseMatrix dinoGenerated = features(dino, generated, ResizeMode.STRETCH);
        DenseMatrix dinoReference = features(dino, reference, referenceMode);
        DenseMatrix clipGenerated = features(clip, generated, ResizeMode.STRETCH);
        DenseMatrix clipReference = features(clip, reference, referenceMode);
        ImageSimilarity.Result dinoSimilarity = ImageSimilarity.compute(dinoReference, dinoGenerated);
        ImageSimilarity.Result clipSimilarity = ImageSimilarity.compute(clipReference, clipGenerated);

        OptionalDouble text = OptionalDouble.empty();
        if (promptLines != null) {
            List<String> processed = promptLines.stream().map(prompts::process).toList();
            try (Tensor t = clip.encodeTexts(processed)) {
                text = OptionalDouble.of(TextImageSimilarity.mean(DenseMatrix.fromTensor(t), clipGenerated));
            }
        }
        OptionalDouble style = OptionalDouble.empty();
        if (vgg != null) {
            style = OptionalDouble.of(StyleLoss.allPairs(features(vgg, reference, referenceMode),
                    features(vgg, generated, ResizeMode.STRETCH)));
        }
        return new SetScore(generated.size(), reference.size(), referenceMode,
                dinoSimilarity.imageSimilarity(), dinoSimilarity.squaredCentroidDistance(),
                clipSimilarity.imageSimilarity(), clipSimilarity.squaredCentroidDistance(),
                Vendi.score(dinoGenerated), Vendi.score(clipGenerated), text, style);
    }

    private static DenseMatrix features(Encoder encoder, List<RgbImage> images, ResizeMode mode) {
        try (Tensor t = encoder.encodeImages(images, mode)) {
            return DenseMatrix.fromTensor(t);
        }
    }
}
