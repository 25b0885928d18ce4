package dev.lycoris4j.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.lycoris4j.eval.metrics.MetricsGolden.FLOAT32_ABS;
import static dev.lycoris4j.eval.metrics.MetricsGolden.FLOAT32_REL;
import static dev.lycoris4j.eval.metrics.MetricsGolden.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** metrics_golden.json "style_loss": Gram features of fixed maps, base-model and all-pairs losses. */
class StyleLossTest {

    @Test
    void gramFeaturesMatchVggGramEncode() throws Exception {
        try (SafetensorsFile io = MetricsGolden.open()) {
            for (String set : new String[] {"ref", "gen"}) {
                List<Tensor> maps = new ArrayList<>();
                for (int layer = 0; layer < 5; layer++) maps.add(io.tensor("gram.features_" + set + "_layer" + layer));
                try (Tensor grams = GramFeatures.encode(maps)) {
                    DenseMatrix actual = DenseMatrix.fromTensor(grams);
                    DenseMatrix expected = MetricsGolden.matrix(io, "gram.grams_" + set);
                    assertThat(actual.rows()).isEqualTo(expected.rows());
                    assertThat(actual.cols()).isEqualTo(expected.cols()).isEqualTo(2384);
                    for (int i = 0; i < expected.values().length; i++) {
                        assertClose(actual.values()[i], expected.values()[i], 1e-6, 1e-6, set + " gram entry " + i);
                    }
                } finally {
                    maps.forEach(Tensor::close);
                }
            }
        }
    }

    @Test
    void lossesMatchTheReference() throws Exception {
        JsonNode golden = MetricsGolden.json().path("style_loss");
        try (SafetensorsFile io = MetricsGolden.open()) {
            DenseMatrix ref = MetricsGolden.matrix(io, "gram.grams_ref");
            StyleLoss.BaseModelLoss loss = StyleLoss.versusBaseModel(MetricsGolden.matrix(io, "gram.grams_gen"), ref);
            assertClose(loss.mean(), golden.path("style_loss_base_model").asDouble(), FLOAT32_ABS, FLOAT32_REL, "mean");
            for (int k = 0; k < loss.perImage().length; k++) {
                assertClose(loss.perImage()[k], golden.path("style_losses_per_image").get(k).asDouble(),
                        FLOAT32_ABS, FLOAT32_REL, "image " + k);
                assertClose(loss.perImage()[k], golden.path("recomputed_per_image_float64").get(k).asDouble(),
                        0, 1e-12, "image " + k + " float64");
            }
            for (String cond : new String[] {"in", "out", "trigger"}) {
                DenseMatrix generated = MetricsGolden.matrix(io, "gram.grams_dataset_vs_" + cond);
                assertThat(generated.rows()).isEqualTo(golden.path("allpairs_generated_set_sizes").path(cond).asInt());
                assertClose(StyleLoss.allPairs(ref, generated),
                        golden.path("style_loss_allpairs").path("Style Loss (" + cond + ")").asDouble(),
                        FLOAT32_ABS, FLOAT32_REL, "all pairs " + cond);
            }
        }
    }

    /* Sets {0, 2} and {5} in 1-D: pairs (0,5), (2,5) give 25 and 9, mean 17 = (1 - 5)² + 1 + 0. */
    @Test
    void allPairsEqualsTheMeanPairDistance() {
        DenseMatrix a = DenseMatrix.of(new double[][] {{0}, {2}});
        DenseMatrix b = DenseMatrix.of(new double[][] {{5}});
        assertThat(StyleLoss.allPairs(a, b)).isCloseTo(17, within(1e-12));
        StyleLoss.BaseModelLoss loss = StyleLoss.versusBaseModel(a, DenseMatrix.of(new double[][] {{1}, {5}}));
        assertThat(loss.perImage()).containsExactly(1, 9);
        assertThat(loss.mean()).isEqualTo(5);
    }
}
