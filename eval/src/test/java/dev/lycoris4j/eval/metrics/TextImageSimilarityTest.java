package dev.lycoris4j.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;

import static dev.lycoris4j.eval.metrics.MetricsGolden.FLOAT32_ABS;
import static dev.lycoris4j.eval.metrics.MetricsGolden.FLOAT32_REL;
import static dev.lycoris4j.eval.metrics.MetricsGolden.FLOAT64_ABS;
import static dev.lycoris4j.eval.metrics.MetricsGolden.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TextImageSimilarityTest {

    @Test
    void matchesTheGoldenPairs() throws Exception {
        JsonNode results = MetricsGolden.json().path("text_similarity").path("results");
        try (SafetensorsFile io = MetricsGolden.open()) {
            for (String dim : new String[] {"16", "768"}) {
                JsonNode expected = results.path("A" + dim + "_text_vs_B" + dim + "_image");
                double score = TextImageSimilarity.mean(MetricsGolden.matrix(io, "set.A" + dim),
                        MetricsGolden.matrix(io, "set.B" + dim));
                assertClose(score, expected.path("text_similarity").asDouble(), FLOAT32_ABS, FLOAT32_REL, dim + " fp32");
                assertClose(score, expected.path("recomputed_float64").asDouble(), FLOAT64_ABS, 0, dim + " fp64");
            }
        }
    }

    /* Pairs (1,0)·(1,1) -> 1/√2 and (0,3)·(0,-2) -> -1: mean (1/√2 - 1)/2; a zero vector scores 0 (eps). */
    @Test
    void pairsRowByRowAndGuardsZeroVectors() {
        DenseMatrix text = DenseMatrix.of(new double[][] {{1, 0}, {0, 3}});
        DenseMatrix image = DenseMatrix.of(new double[][] {{1, 1}, {0, -2}});
        assertThat(TextImageSimilarity.mean(text, image)).isCloseTo((Math.sqrt(0.5) - 1) / 2, within(1e-15));
        assertThat(TextImageSimilarity.mean(DenseMatrix.of(new double[][] {{0, 0}}), DenseMatrix.of(new double[][] {{1, 0}})))
                .isEqualTo(0.0);
        assertThatThrownBy(() -> TextImageSimilarity.mean(text, DenseMatrix.of(new double[][] {{1, 1}})))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
