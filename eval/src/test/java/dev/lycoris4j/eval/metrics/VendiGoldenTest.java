package dev.lycoris4j.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.lycoris4j.eval.metrics.MetricsGolden.VENDI_REL;
import static dev.lycoris4j.eval.metrics.MetricsGolden.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** metrics_golden.json "vendi": LyCORIS-evaluation's Vendi and the vendi_score package functions. */
class VendiGoldenTest {
    private static SafetensorsFile io;
    private static JsonNode vendi;

    @BeforeAll
    static void open() throws Exception {
        io = MetricsGolden.open();
        vendi = MetricsGolden.json().path("vendi");
    }

    @AfterAll
    static void close() {
        io.close();
    }

    private static void assertVendi(double actual, JsonNode expected, String what) {
        assertThat(expected.isNumber()).as(what + " present in golden").isTrue();
        assertClose(actual, expected.asDouble(), 0, VENDI_REL, what);
    }

    private static double order(String q) {
        return q.equals("inf") ? Vendi.Q_INF : Double.parseDouble(q);
    }

    @Test
    void featureSetsMatchComputeVendiScoreAndScoreDual() throws Exception {
        for (Map.Entry<String, JsonNode> set : vendi.path("sets").properties()) {
            DenseMatrix x = MetricsGolden.matrix(io, "set." + set.getKey());
            assertVendi(Vendi.score(x), set.getValue().path("lycoris_eval_compute_vendi_score"), set.getKey());
            assertVendi(Vendi.score(x), set.getValue().path("vertaix_score_X"), set.getKey() + " score_X");
            assertVendi(Vendi.scoreDual(x, 1), set.getValue().path("vertaix_score_dual"), set.getKey() + " score_dual");
        }
    }

    @Test
    void perPromptChunksMatch() throws Exception {
        DenseMatrix c768 = MetricsGolden.matrix(io, "set.C768");
        double[] chunks = Vendi.perPromptScores(c768, 10);
        JsonNode expected = vendi.path("per_prompt_C768_chunks_of_10");
        assertThat(chunks).hasSize(expected.size());
        for (int k = 0; k < chunks.length; k++) assertVendi(chunks[k], expected.get(k), "C768 chunk " + k);
        assertVendi(Vendi.meanPerPromptScore(c768, 10), vendi.path("per_prompt_C768_mean (Vendi (enc) (out))"), "mean");

        double[] short16 = Vendi.perPromptScores(MetricsGolden.matrix(io, "set.C16"), 5);
        JsonNode expected16 = vendi.path("per_prompt_C16_chunks_of_5 (last chunk has 2 rows)");
        assertThat(short16).hasSize(expected16.size());
        for (int k = 0; k < short16.length; k++) assertVendi(short16[k], expected16.get(k), "C16 chunk " + k);
    }

    @Test
    void edgeCasesMatchTheReferenceAndTheirExpectations() throws Exception {
        JsonNode expectations = vendi.path("edge_case_expectations");
        int checked = 0;
        for (Map.Entry<String, JsonNode> edge : vendi.path("edge_cases").properties()) {
            checked++;
            double score = Vendi.score(MetricsGolden.matrix(io, "vendi_edge." + edge.getKey()));
            assertVendi(score, edge.getValue().path("lycoris_eval_compute_vendi_score"), edge.getKey());
            JsonNode expectation = expectations.path(edge.getKey());
            if (expectation.isNumber()) {
                assertClose(score, expectation.asDouble(), 1e-9, 1e-9, edge.getKey() + " expectation");
            }
        }
        assertThat(checked).isEqualTo(9);
        double a16 = Vendi.score(MetricsGolden.matrix(io, "set.A16"));
        for (String same : List.of("A16_stacked_twice", "A16_rows_rescaled")) {
            assertClose(Vendi.score(MetricsGolden.matrix(io, "vendi_edge." + same)), a16, 0, 1e-9, same + " = Vendi(A16)");
        }
    }

    @Test
    void vendiScorePackageFunctionsMatch() throws Exception {
        JsonNode v = vendi.path("vertaix_readme_and_q_variants");
        JsonNode k3Json = v.path("K3");
        double[][] k3Rows = new double[k3Json.size()][];
        for (int i = 0; i < k3Rows.length; i++) {
            k3Rows[i] = new double[k3Json.get(i).size()];
            for (int j = 0; j < k3Rows[i].length; j++) k3Rows[i][j] = k3Json.get(i).get(j).asDouble();
        }
        DenseMatrix k3 = DenseMatrix.of(k3Rows);
        for (Map.Entry<String, JsonNode> q : v.path("score_K_K3").properties()) {
            assertVendi(Vendi.scoreK(k3, order(q.getKey())), q.getValue(), "score_K(K3, q=" + q.getKey() + ")");
        }
        assertVendi(Vendi.scoreK(identity(5), 1), v.path("score_K_identity5"), "identity");
        DenseMatrix ones = new DenseMatrix(5, 5, filled(25, 1.0));
        assertVendi(Vendi.scoreK(ones, 1), v.path("score_K_ones5"), "ones");

        DenseMatrix a16 = MetricsGolden.matrix(io, "set.A16");
        DenseMatrix kernel = a16.l2NormalizedRows().gram();
        for (Map.Entry<String, JsonNode> q : v.path("score_K_A16_normalized_linear").properties()) {
            assertVendi(Vendi.scoreK(kernel, order(q.getKey())), q.getValue(), "score_K(A16, q=" + q.getKey() + ")");
        }
        // The golden file does not store p; p_i = i / 210 (i = 1..20) reproduces the value to 1e-15,
        // so that is the weighting the generator used.
        double[] p = new double[kernel.rows()];
        for (int i = 0; i < p.length; i++) p[i] = (i + 1) / 210.0;
        assertVendi(Vendi.scoreK(kernel, 1, p, false), v.path("score_K_A16_weighted_p"), "score_K(A16, p)");
        assertClose(Vendi.internalDiversity(k3, 1), v.path("intdiv_K_K3").asDouble(), 1e-12, 0, "intdiv K3");
        assertClose(Vendi.internalDiversity(kernel, 1), v.path("intdiv_K_A16").asDouble(), 1e-12, 0, "intdiv A16");

        double score = Vendi.score(List.of(0.0, 0.0, 10.0, 10.0, 20.0, 20.0), (a, b) -> Math.exp(-Math.abs(a - b)), 1);
        assertVendi(score, v.path("score_samples_0_0_10_10_20_20_k_exp_neg_abs"), "score(samples, k)");
    }

    static DenseMatrix identity(int n) {
        double[] values = new double[n * n];
        for (int i = 0; i < n; i++) values[i * n + i] = 1;
        return new DenseMatrix(n, n, values);
    }

    static double[] filled(int n, double value) {
        double[] values = new double[n];
        java.util.Arrays.fill(values, value);
        return values;
    }
}
