package dev.lycoris4j.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.lycoris4j.eval.metrics.MetricsGolden.FLOAT32_ABS;
import static dev.lycoris4j.eval.metrics.MetricsGolden.FLOAT32_REL;
import static dev.lycoris4j.eval.metrics.MetricsGolden.FLOAT64_ABS;
import static dev.lycoris4j.eval.metrics.MetricsGolden.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageSimilarityTest {

    @Test
    void matchesLycorisEvaluationOnEveryGoldenPair() throws Exception {
        JsonNode results = MetricsGolden.json().path("image_similarity").path("results");
        int pairs = 0;
        try (SafetensorsFile io = MetricsGolden.open()) {
            for (Map.Entry<String, JsonNode> pair : results.properties()) {
                pairs++;
                String[] names = pair.getKey().split("_vs_");
                DenseMatrix ref = MetricsGolden.matrix(io, "set." + names[0]);
                DenseMatrix gen = MetricsGolden.matrix(io, "set." + names[1]);
                JsonNode expected = pair.getValue();
                ImageSimilarity.Result r = ImageSimilarity.compute(ref, gen);
                assertClose(r.imageSimilarity(), expected.path("image_similarity").asDouble(), FLOAT64_ABS, 0,
                        pair.getKey() + " image similarity");
                assertClose(r.squaredCentroidDistance(), expected.path("squared_centroid_distance").asDouble(),
                        FLOAT64_ABS, 0, pair.getKey() + " squared centroid distance");
                // eval_style_loss.allpair_msd on the normalised rows (float32 in the reference) = 2 - 2S.
                double msd = StyleLoss.allPairs(ref.dividedByRowNorms(), gen.dividedByRowNorms());
                assertClose(msd, expected.path("allpair_msd_fp32_on_normalized").asDouble(), FLOAT32_ABS, FLOAT32_REL,
                        pair.getKey() + " all-pairs msd");
                assertClose(msd, 2 - 2 * r.imageSimilarity(), 1e-12, 0, pair.getKey() + " msd = 2 - 2S");
            }
        }
        assertThat(pairs).isEqualTo(8);
    }

    /*
     * By hand: reference rows (3,4) and (1,0) normalise to (0.6,0.8) and (1,0), centroid (0.8,0.4); the
     * generated row (0,2) normalises to (0,1). Similarity = 0.4, distance² = 0.64 + 0.36 = 1.0.
     */
    @Test
    void handWorkedExample() {
        DenseMatrix ref = DenseMatrix.of(new double[][] {{3, 4}, {1, 0}});
        DenseMatrix gen = DenseMatrix.of(new double[][] {{0, 2}});
        ImageSimilarity.Result r = ImageSimilarity.compute(ref, gen);
        assertThat(r.imageSimilarity()).isCloseTo(0.4, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(r.squaredCentroidDistance()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-15));
    }

    @Test
    void zeroRowsGiveNaNAsInNumpyAndShapesMustAgree() {
        DenseMatrix zero = DenseMatrix.of(new double[][] {{0, 0}});
        DenseMatrix one = DenseMatrix.of(new double[][] {{1, 0}});
        assertThat(ImageSimilarity.compute(zero, one).imageSimilarity()).isNaN();
        assertThatThrownBy(() -> ImageSimilarity.compute(one, DenseMatrix.of(new double[][] {{1, 0, 0}})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimensions");
    }
}
