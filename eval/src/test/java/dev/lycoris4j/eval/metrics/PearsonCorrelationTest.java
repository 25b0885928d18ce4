package dev.lycoris4j.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** metrics_golden.json "pearson": pandas DataFrame.corr on the unranked and rank-normalised tables. */
class PearsonCorrelationTest {
    /** manifest d_metrics tolerance "pearson_abs". */
    private static final double PEARSON_ABS = 1e-12;

    /** The metric columns of a golden table, in the order of the golden correlation matrix. */
    private static double[][] columns(JsonNode table, JsonNode correlationColumns, boolean completeRowsOnly) {
        JsonNode rows = table.path("rows");
        double[][] out = new double[correlationColumns.size()][rows.size()];
        for (int c = 0; c < out.length; c++) {
            String wanted = correlationColumns.get(c).asText();
            String key = null;
            for (JsonNode name : table.path("columns")) {
                // Table headers are "metric | architecture | condition"; pandas drops the empty trailing level.
                if (name.asText().equals(wanted) || name.asText().equals(wanted + " | ")) key = name.asText();
            }
            assertThat(key).as("table column for " + wanted).isNotNull();
            for (int r = 0; r < rows.size(); r++) {
                JsonNode v = rows.get(r).path(key);
                out[c][r] = v.isNumber() ? v.asDouble() : Double.NaN;
            }
        }
        if (!completeRowsOnly) return out;
        int complete = 0;
        double[][] kept = new double[out.length][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            boolean ok = true;
            for (double[] column : out) ok &= !Double.isNaN(column[r]);
            if (!ok) continue;
            for (int c = 0; c < out.length; c++) kept[c][complete] = out[c][r];
            complete++;
        }
        for (int c = 0; c < out.length; c++) kept[c] = java.util.Arrays.copyOf(kept[c], complete);
        return kept;
    }

    private static void assertMatrix(double[][] actual, JsonNode expected) {
        for (int i = 0; i < actual.length; i++) {
            for (int j = 0; j < actual.length; j++) {
                assertThat(actual[i][j]).as("corr[%d][%d]", i, j)
                        .isCloseTo(expected.get(i).get(j).asDouble(), within(PEARSON_ABS));
            }
        }
    }

    @Test
    void pairwiseCompleteCorrelationMatchesPandas() {
        JsonNode golden = MetricsGolden.json();
        JsonNode pearson = golden.path("pearson");
        for (String table : new String[] {"unranked", "ranked"}) {
            JsonNode expected = pearson.path(table);
            double[][] cols = columns(golden.path("rank_normalisation").path(table), expected.path("columns"), false);
            assertThat(cols[0].length).as("the table has NaN cells, so pairwise-complete matters").isEqualTo(13);
            assertMatrix(PearsonCorrelation.matrix(cols), expected.path("matrix"));
        }
        JsonNode complete = pearson.path("numpy_corrcoef_complete_rows_unranked");
        double[][] cols = columns(golden.path("rank_normalisation").path("unranked"), complete.path("columns"), true);
        assertThat(cols[0].length).isEqualTo(pearson.path("complete_rows").asInt());
        assertMatrix(PearsonCorrelation.matrix(cols), complete.path("matrix"));
    }

    @Test
    void handWorkedCases() {
        assertThat(PearsonCorrelation.of(new double[] {1, 2, 3}, new double[] {2, 4, 6})).isCloseTo(1, within(1e-15));
        assertThat(PearsonCorrelation.of(new double[] {1, 2, 3}, new double[] {3, 2, 1})).isCloseTo(-1, within(1e-15));
        // (1,1), (2,3), (3,2): deviations (-1,-1), (0,1), (1,0) -> 1 / sqrt(2 * 2) = 0.5; the NaN row is skipped.
        assertThat(PearsonCorrelation.of(new double[] {1, 2, 3, Double.NaN}, new double[] {1, 3, 2, 7}))
                .isCloseTo(0.5, within(1e-15));
        assertThat(PearsonCorrelation.of(new double[] {1, 1, 1}, new double[] {1, 2, 3})).isNaN();
        assertThat(PearsonCorrelation.of(new double[] {1}, new double[] {2})).isNaN();
    }
}
