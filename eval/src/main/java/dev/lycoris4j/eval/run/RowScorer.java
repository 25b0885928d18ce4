package dev.lycoris4j.eval.run;

import dev.lycoris4j.eval.analysis.Concept;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.metrics.DenseMatrix;
import dev.lycoris4j.eval.metrics.ImageSimilarity;
import dev.lycoris4j.eval.metrics.StyleLoss;
import dev.lycoris4j.eval.metrics.TextImageSimilarity;
import dev.lycoris4j.eval.metrics.Vendi;
import dev.lycoris4j.eval.prompts.PromptCatalog;
import dev.lycoris4j.eval.prompts.PromptType;
import dev.lycoris4j.eval.score.PromptProcessing;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of one results row (checkpoint × leaf × prompt type), each as LyCORIS-evaluation computes it
 * (spec §1.8), named as this project's eval CSV names them (docs/evaluation.md): the condition is the row's
 * {@code prompt_type}, so a column carries at most the encoder and mode.
 * <ul>
 *   <li>{@code <train>}, {@code <trigger>}, {@code <alter>}: per image encoder, image similarity and squared
 *       centroid distance against the leaf's dataset images for every reference mode; Vendi (per prompt for
 *       alter); CLIP text similarity of prompt k and image k, prompts processed as spec §1.5; for the style
 *       category, the all-pairs style loss against the dataset.</li>
 *   <li>{@code <style>}: the style loss against the base model's image of the same prompt and seed, only.</li>
 *   <li>agnostic: the dataset metrics, but against the base model's images of the same prompts (generated
 *       images, so 'resize'), text similarity without the concept replacement table, and the paired style loss.</li>
 * </ul>
 */
final class RowScorer {
    static final String IMAGE_SIMILARITY = "Image Similarity";
    static final String CENTROID_DISTANCE = "Squared Centroid Distance";
    static final String VENDI = "Vendi";
    static final String TEXT_SIMILARITY = "Text Similarity";
    static final String STYLE_LOSS = "Style Loss";
    /** Feature-cache key of the VGG Grams. */
    private static final String VGG_KEY = "vgg19-gram";

    private final EncoderSettings.Loaded encoders;
    private final List<ResizeMode> referenceModes;
    private final PromptProcessing conceptPrompts;

    RowScorer(EncoderSettings.Loaded encoders, List<ResizeMode> referenceModes, PromptProcessing conceptPrompts) {
        this.encoders = encoders;
        this.referenceModes = List.copyOf(referenceModes);
        this.conceptPrompts = conceptPrompts;
    }

    /** The columns a row gets: exactly the keys {@link #score} fills, without computing anything. */
    List<String> columns(PromptType type, Concept leaf) {
        List<String> out = new ArrayList<>();
        if (type != PromptType.STYLE) {
            for (EncoderSettings.Labelled e : encoders.image()) {
                for (ResizeMode mode : referenceModes(type)) {
                    out.add(similarityColumn(e, mode));
                    out.add(distanceColumn(e, mode));
                }
                out.add(vendiColumn(e));
            }
            if (encoders.clip() != null) out.add(TEXT_SIMILARITY);
        }
        if (encoders.vgg() != null && hasStyleLoss(type, leaf)) out.add(STYLE_LOSS);
        return out;
    }

    /**
     * @param generated the row's images
     * @param reference the dataset images of the leaf, or the base model's images for base-model types
     * @param images    the row's image set (prompts of every image, per-prompt ranges)
     */
    Map<String, Double> score(PromptType type, Concept leaf, FeatureSet generated, FeatureSet reference, ImageSet images) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (type != PromptType.STYLE) {
            for (EncoderSettings.Labelled e : encoders.image()) {
                DenseMatrix g = generated.features(e.label(), e.encoder(), ResizeMode.STRETCH);
                for (ResizeMode mode : referenceModes(type)) {
                    ImageSimilarity.Result r = ImageSimilarity.compute(reference.features(e.label(), e.encoder(), mode), g);
                    out.put(similarityColumn(e, mode), r.imageSimilarity());
                    out.put(distanceColumn(e, mode), r.squaredCentroidDistance());
                }
                out.put(vendiColumn(e), vendi(g, type, images));
            }
            if (encoders.clip() != null) out.put(TEXT_SIMILARITY, textSimilarity(type, generated, images));
        }
        if (encoders.vgg() != null && hasStyleLoss(type, leaf)) out.put(STYLE_LOSS, styleLoss(type, generated, reference));
        return out;
    }

    /** Base-model references are generated images, which the reference always reads as 'resize'. */
    private List<ResizeMode> referenceModes(PromptType type) {
        return type.versusBaseModel() ? List.of(ResizeMode.STRETCH) : referenceModes;
    }

    private static String similarityColumn(EncoderSettings.Labelled e, ResizeMode mode) {
        return IMAGE_SIMILARITY + " (" + e.label() + "-" + mode.referenceName() + ")";
    }

    private static String distanceColumn(EncoderSettings.Labelled e, ResizeMode mode) {
        return CENTROID_DISTANCE + " (" + e.label() + "-" + mode.referenceName() + ")";
    }

    private static String vendiColumn(EncoderSettings.Labelled e) {
        return VENDI + " (" + e.label() + ")";
    }

    private static boolean hasStyleLoss(PromptType type, Concept leaf) {
        return type.versusBaseModel() || leaf.category().equals(PromptCatalog.STYLE_CATEGORY);
    }

    private static double vendi(DenseMatrix features, PromptType type, ImageSet images) {
        if (!type.diversityPerPrompt()) return Vendi.score(features);
        List<int[]> ranges = images.promptRanges();
        double sum = 0;
        for (int[] r : ranges) sum += Vendi.score(features.rowRange(r[0], r[1]));
        return sum / ranges.size();
    }

    private double textSimilarity(PromptType type, FeatureSet generated, ImageSet images) {
        // Agnostic prompts do not name the concept: the trigger replacement table would only mangle them.
        PromptProcessing processing = type == PromptType.AGNOSTIC ? PromptProcessing.CLEANUP_ONLY : conceptPrompts;
        // Each distinct text is encoded once; row.get(text) is its row in the encoded matrix.
        Map<String, Integer> row = new LinkedHashMap<>();
        List<String> perImage = new ArrayList<>();
        for (String prompt : images.imagePrompts()) {
            // As a line of the reference's prompt file, newline included (spec §1.5 step 2).
            String text = processing.process(prompt + "\n");
            perImage.add(text);
            row.putIfAbsent(text, row.size());
        }
        DenseMatrix encoded;
        try (Tensor t = encoders.clip().encodeTexts(List.copyOf(row.keySet()))) {
            encoded = DenseMatrix.fromTensor(t);
        }
        int d = encoded.cols();
        double[] values = new double[perImage.size() * d];
        for (int k = 0; k < perImage.size(); k++) {
            System.arraycopy(encoded.values(), row.get(perImage.get(k)) * d, values, k * d, d);
        }
        DenseMatrix image = generated.features(encoders.clipLabel(), encoders.clip(), ResizeMode.STRETCH);
        return TextImageSimilarity.mean(new DenseMatrix(perImage.size(), d, values), image);
    }

    private double styleLoss(PromptType type, FeatureSet generated, FeatureSet reference) {
        // VGG turns 'resize' into aspect-keeping 'resize_rectangle', for dataset and generated images alike.
        DenseMatrix g = generated.features(VGG_KEY, encoders.vgg(), ResizeMode.STRETCH);
        DenseMatrix r = reference.features(VGG_KEY, encoders.vgg(), ResizeMode.STRETCH);
        return type.versusBaseModel() ? StyleLoss.versusBaseModel(g, r).mean() : StyleLoss.allPairs(r, g);
    }
}
