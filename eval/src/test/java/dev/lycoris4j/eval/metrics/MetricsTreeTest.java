package dev.lycoris4j.eval.metrics;

import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden metrics_tree: every number of metrics_tree_expected.csv (LyCORIS-evaluation's image similarity,
 * diversity and text similarity scripts on a small feature tree) recomputed from the .npz/.npy files.
 *
 * <p>The reference computes in the storage dtype: numpy float16 arithmetic for the clip-L-14 features
 * (similarity, centroid distance, and normalise/XXᵀ of Vendi) and float32 for dinov2 features and for
 * eigvalsh. These functions compute in float64, so the tolerance follows the feature dtype: float16
 * results differ by up to ~4e-4, float32 ones by ~1e-7 (absolute) or ~1e-6 (relative, Vendi).
 */
class MetricsTreeTest {
    private static final Map<String, String> STEMS = Map.of(
            "in", "in_dist_prompts", "out", "out_dist_prompts", "trigger", "triggeronly");
    private static final int IMAGES_PER_OUT_PROMPT = 10;

    /** A recomputed value with the tolerance of the dtype the reference computed it in. */
    private record Computed(double value, double tolerance, boolean relative) {
        double error(double expected) {
            return relative ? Math.abs(value / expected - 1) : Math.abs(value - expected);
        }
    }

    /** Similarity tolerance (absolute) and Vendi tolerance (relative) by stored feature dtype. */
    private static double[] tolerances(String dtype) {
        return switch (dtype) {
            case "<f2" -> new double[] {1e-3, 1e-3};
            case "<f4" -> new double[] {1e-6, 1e-5};
            default -> throw new IllegalStateException("unexpected feature dtype " + dtype);
        };
    }

    @Test
    void everyCsvValueIsReproduced() throws IOException {
        Path tree = Golden.path("eval/metrics_tree");
        List<String> lines = Files.readAllLines(Golden.path("eval/metrics_tree_expected.csv"));
        String[] header = lines.get(0).split(",");
        assertThat(lines).hasSize(5);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            String folder = cells[0];
            // --extra_level 1: the reference leaf is the generated path without its model folder.
            Map<String, Computed> computed = leafMetrics(tree.resolve("gen").resolve(folder),
                    tree.resolve("ref").resolve(folder.substring(folder.indexOf('/') + 1)));
            assertThat(computed).hasSize(header.length - 1);
            for (int c = 1; c < header.length; c++) {
                double expected = Double.parseDouble(cells[c]);
                Computed actual = computed.get(header[c]);
                assertThat(actual).as(folder + " / " + header[c]).isNotNull();
                assertThat(actual.error(expected)).as(folder + " / " + header[c] + ": " + actual.value() + " vs " + expected)
                        .isLessThanOrEqualTo(actual.tolerance());
            }
        }
    }

    /** All metrics of one generated leaf, named as the reference scripts name their CSV columns. */
    private static Map<String, Computed> leafMetrics(Path gen, Path ref) throws IOException {
        Map<String, Computed> out = new HashMap<>();
        Map<String, NumpyArray> reference = NpyReader.readNpz(ref.resolve("image-features.npz"));
        for (String encoder : List.of("clip-L-14", "dinov2-l-fb")) {
            for (Map.Entry<String, String> cond : STEMS.entrySet()) {
                NumpyArray stored = generatedFeatures(gen, cond.getValue(), encoder);
                double[] tol = tolerances(stored.dtype());
                DenseMatrix generated = stored.toMatrix();
                for (String mode : List.of("resize", "crop", "padding")) {
                    ImageSimilarity.Result r = ImageSimilarity.compute(
                            reference.get(encoder + "-" + mode).toMatrix(), generated);
                    String suffix = " (" + encoder + "-" + mode + ") (" + cond.getKey() + ")";
                    out.put("Image Similarity" + suffix, new Computed(r.imageSimilarity(), tol[0], false));
                    out.put("Squared Centroid Distance" + suffix, new Computed(r.squaredCentroidDistance(), tol[0], false));
                }
                double vendi = cond.getKey().equals("out")
                        ? Vendi.meanPerPromptScore(generated, IMAGES_PER_OUT_PROMPT)
                        : Vendi.score(generated);
                out.put("Vendi (" + encoder + ") (" + cond.getKey() + ")", new Computed(vendi, tol[1], true));
            }
        }
        for (Map.Entry<String, String> cond : STEMS.entrySet()) {
            // float16 features, but the reference's cosine runs in float32 on them.
            DenseMatrix text = NpyReader.readNpy(ref.resolve(cond.getValue() + "-clip-text-features.npy")).toMatrix();
            DenseMatrix image = generatedFeatures(gen, cond.getValue(), "clip-L-14").toMatrix();
            out.put("Text Similarity (" + cond.getKey() + ")", new Computed(TextImageSimilarity.mean(text, image), 1e-6, false));
        }
        return out;
    }

    private static NumpyArray generatedFeatures(Path gen, String stem, String encoder) throws IOException {
        return NpyReader.readNpz(gen.resolve(stem + "-image-features.npz")).get(encoder + "-resize");
    }
}
