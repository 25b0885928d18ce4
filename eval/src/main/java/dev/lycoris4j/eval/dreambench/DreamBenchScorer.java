package dev.lycoris4j.eval.dreambench;

import dev.lycoris4j.eval.encoders.ClipEncoder;
import dev.lycoris4j.eval.encoders.DinoEncoder;
import dev.lycoris4j.eval.encoders.Encoder;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.image.RgbImage;
import dev.lycoris4j.eval.metrics.DenseMatrix;
import dev.lycoris4j.eval.metrics.ImageSimilarity;
import dev.lycoris4j.eval.metrics.TextImageSimilarity;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores one DreamBench subject. Preprocessing follows the evaluation code the spec found (§3): CLIP as
 * OpenAI CLIP's own preprocess (shorter side to the input size, bicubic, centre crop); DINO as the standard
 * DINO evaluation transform (shorter side to 256/224 of the input size, centre crop to the input size), both
 * with Pillow's bicubic. CLIP-I and DINO use {@link ImageSimilarity}: the mean of all real × generated cosines
 * is the dot product of the two centroids of L2-normalised embeddings.
 */
public final class DreamBenchScorer {
    private final ClipEncoder clip;
    private final DinoEncoder dino;

    public DreamBenchScorer(ClipEncoder clip, DinoEncoder dino) {
        this.clip = clip;
        this.dino = dino;
    }

    /** @param prompts the prompt of every generated image, in the same order */
    public SubjectScore score(String subject, List<RgbImage> real, List<RgbImage> generated, List<String> prompts) {
        if (real.isEmpty() || generated.isEmpty()) throw new IllegalArgumentException(subject + ": no real or no generated images");
        if (prompts.size() != generated.size()) {
            throw new IllegalArgumentException(subject + ": " + prompts.size() + " prompts for " + generated.size() + " images");
        }
        DenseMatrix clipGenerated = features(clip, generated);
        double clipI = ImageSimilarity.compute(features(clip, real), clipGenerated).imageSimilarity();
        double clipT;
        try (Tensor t = clip.encodeTexts(prompts)) {
            clipT = TextImageSimilarity.mean(DenseMatrix.fromTensor(t), clipGenerated);
        }
        double dinoScore = ImageSimilarity.compute(features(dino, dinoCrop(real)), features(dino, dinoCrop(generated)))
                .imageSimilarity();
        return new SubjectScore(subject, real.size(), generated.size(), clipI, clipT, dinoScore);
    }

    private static DenseMatrix features(Encoder encoder, List<RgbImage> images) {
        try (Tensor t = encoder.encodeImages(images, ResizeMode.CENTER_CROP)) {
            return DenseMatrix.fromTensor(t);
        }
    }

    /**
     * DINO's {@code Resize(256) + CenterCrop(224)}, scaled to the encoder's input size S. The encoder's own
     * centre crop then leaves the S × S result as it is.
     */
    private List<RgbImage> dinoCrop(List<RgbImage> images) {
        int size = dino.transform(ResizeMode.CENTER_CROP).size();
        int resized = size * 256 / 224;
        List<RgbImage> out = new ArrayList<>(images.size());
        for (RgbImage image : images) {
            RgbImage r = ResizeMode.SCALE.apply(image, resized);
            // torchvision CenterCrop offsets: int(round((L - S) / 2)), half to even.
            out.add(r.crop((int) Math.rint((r.width() - size) / 2.0), (int) Math.rint((r.height() - size) / 2.0), size, size));
        }
        return out;
    }
}
