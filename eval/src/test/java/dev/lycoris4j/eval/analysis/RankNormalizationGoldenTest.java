package dev.lycoris4j.eval.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.metrics.PearsonCorrelation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * metrics_golden.json "rank_normalisation": the reference's load_and_preprocess_metrics on a small metrics
 * CSV (rank = True and False), and "pearson": pandas' corr over those tables. The input CSV is rebuilt
 * from the golden rows; the config table holds the four configurations of the spec's table that the
 * rows use. Ranks must match exactly (manifest tolerance "ranks": exact).
 */
class RankNormalizationGoldenTest {
    /** manifest d_metrics tolerance "pearson_abs". */
    private static final double PEARSON_ABS = 1e-12;
    private static final String CONFIGS = """
            Config,Algo,Preset,Lr,Dim,Alpha,Factor,Caption
            exp-1001-sd15-lora8a4,lora,attn-mlp,5e-4,8,4,N/A,.txt
            exp-1011-sd15-loha4a2,loha,attn-mlp,5e-4,4,2,N/A,.txt
            exp-1021-sd15-lokrf8,lokr,attn-mlp,5e-4,10000,1,8,.txt
            exp-1031-sd15-nt,full,attn-mlp,1e-6,N/A,N/A,N/A,.txt
            """;

    @TempDir
    Path dir;

    private static JsonNode golden() throws IOException {
        return new ObjectMapper().readTree(Golden.path("eval/metrics_golden.json").toFile());
    }

    /** Writes the golden input rows as the reference's metrics CSV and reads it with the config table. */
    private ResultTable readInput(JsonNode input) throws IOException {
        List<String> columns = new ArrayList<>();
        input.path("columns").forEach(c -> columns.add(c.asText()));
        StringBuilder csv = new StringBuilder(CsvTable.formatRow(columns));
        for (JsonNode row : input.path("rows")) {
            List<String> cells = new ArrayList<>();
            for (String c : columns) cells.add(row.path(c).asText());
            csv.append(CsvTable.formatRow(cells));
        }
        Path metrics = Files.writeString(dir.resolve("metrics.csv"), csv);
        Path configs = Files.writeString(dir.resolve("config_mapping.csv"), CONFIGS);
        return ResultsReader.read(metrics, configs, null);
    }

    private static double number(JsonNode v) {
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** Exact equality with NaN equal to NaN (an absent value must stay absent). */
    private static void assertSameValue(double actual, double expected, String what) {
        if (Double.isNaN(expected)) {
            assertThat(actual).as(what).isNaN();
        } else {
            assertThat(actual).as(what).isEqualTo(expected);
        }
    }

    private static void assertTable(ResultTable table, JsonNode expected) {
        List<String> metricColumns = new ArrayList<>();
        expected.path("columns").forEach(c -> {
            if (!c.asText().endsWith(" |  | ")) metricColumns.add(c.asText());
        });
        // The same metric columns in the same (alphabetical) order, labelled as the golden flattens them.
        assertThat(table.metrics().stream().map(MetricKey::label).toList()).isEqualTo(metricColumns);
        Map<String, ResultRow> byKey = new HashMap<>();
        for (ResultRow r : table.rows()) {
            byKey.put(String.join("/", r.config(), r.seed(), Integer.toString(r.step()), Double.toString(r.weight()),
                    r.concept().path()), r);
        }
        assertThat(byKey).hasSize(expected.path("rows").size());
        for (JsonNode g : expected.path("rows")) {
            Concept concept = new Concept(g.path("Category |  | ").asText(), g.path("Class |  | ").asText(),
                    g.path("Subclass |  | ").asText());
            String key = String.join("/", g.path("Config |  | ").asText(), g.path("Seed |  | ").asText(),
                    g.path("Step |  | ").asText(), Double.toString(g.path("Weight |  | ").asDouble()), concept.path());
            ResultRow row = byKey.get(key);
            assertThat(row).as(key).isNotNull();
            Config c = table.config(row);
            assertThat(c.algo()).isEqualTo(g.path("Algo |  | ").asText());
            assertThat(c.preset()).isEqualTo(g.path("Preset |  | ").asText());
            assertSameValue(c.lr(), number(g.path("Lr |  | ")), key + " Lr");
            assertSameValue(c.dim(), number(g.path("Dim |  | ")), key + " Dim");
            assertSameValue(c.alpha(), number(g.path("Alpha |  | ")), key + " Alpha");
            assertSameValue(c.factor(), number(g.path("Factor |  | ")), key + " Factor");
            assertThat(c.caption()).isEqualTo(g.path("Caption |  | ").asText());
            for (int m = 0; m < metricColumns.size(); m++) {
                assertSameValue(row.values()[m], number(g.path(metricColumns.get(m))), key + " " + metricColumns.get(m));
            }
        }
    }

    @Test
    void rankedTableMatchesTheReference() throws IOException {
        JsonNode golden = golden().path("rank_normalisation");
        ResultTable read = readInput(golden.path("input_metrics_csv"));
        ResultTable ranked = RankNormalization.apply(read);
        assertTable(ranked.joinConfigs(ranked.configs()), golden.path("ranked"));
    }

    @Test
    void unrankedTableMatchesTheReference() throws IOException {
        JsonNode golden = golden().path("rank_normalisation");
        ResultTable read = readInput(golden.path("input_metrics_csv"));
        assertTable(read.joinConfigs(read.configs()), golden.path("unranked"));
    }

    @Test
    void correlationOfTheTableColumnsMatchesPandas() throws IOException {
        JsonNode golden = golden();
        ResultTable read = readInput(golden.path("rank_normalisation").path("input_metrics_csv"));
        for (boolean rank : new boolean[] {false, true}) {
            ResultTable table = rank ? RankNormalization.apply(read) : read;
            table = table.joinConfigs(table.configs());
            double[][] columns = new double[table.metrics().size()][];
            for (int m = 0; m < columns.length; m++) columns[m] = table.column(m);
            double[][] actual = PearsonCorrelation.matrix(columns);
            JsonNode expected = golden.path("pearson").path(rank ? "ranked" : "unranked");
            List<String> names = table.metrics().stream().map(k -> k.label().replaceAll(" \\| $", "")).toList();
            List<String> expectedNames = new ArrayList<>();
            expected.path("columns").forEach(c -> expectedNames.add(c.asText()));
            assertThat(names).isEqualTo(expectedNames);
            for (int i = 0; i < actual.length; i++) {
                for (int j = 0; j < actual.length; j++) {
                    assertThat(actual[i][j]).as("%s corr[%d][%d]", rank, i, j)
                            .isCloseTo(expected.path("matrix").get(i).get(j).asDouble(), within(PEARSON_ABS));
                }
            }
        }
    }
}
