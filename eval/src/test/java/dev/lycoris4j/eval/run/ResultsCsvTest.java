package dev.lycoris4j.eval.run;

import dev.lycoris4j.eval.analysis.MetricKey;
import dev.lycoris4j.eval.analysis.ResultTable;
import dev.lycoris4j.eval.analysis.ResultsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The eval CSV: upserts by label cells, atomic rewrite, and the analysis reads what it writes. */
class ResultsCsvTest {
    @TempDir
    Path dir;

    private static Map<String, String> labels(String lr, String promptType) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("algo", "lora");
        m.put("preset", "attn-mlp");
        m.put("lr", lr);
        m.put("dim", "8");
        m.put("alpha", "4");
        m.put("factor", "");
        m.put("seed", "a");
        m.put("epoch", "10");
        m.put("category", "people");
        m.put("class", "Saw_Gerrera");
        m.put("subclass", "afro, illustration");
        m.put("prompt_type", promptType);
        return m;
    }

    @Test
    void rowsAreUpdatedInPlaceAndTheAnalysisReadsThem() throws IOException {
        Path file = dir.resolve("sub/results.csv");
        ResultsCsv csv = ResultsCsv.open(file);
        csv.put(labels("0.0005", "out"), Map.of("Vendi (dinov2-l-fb)", 3.5, "Text Similarity", 0.25), "a/out");
        csv.put(labels("0.0005", "base model"), Map.of("Style Loss", 0.125), "a/style");
        assertThat(Files.readAllLines(file)).containsExactly(
                "algo,preset,lr,dim,alpha,factor,seed,epoch,category,class,subclass,prompt_type,Style Loss,Text Similarity,"
                        + "Vendi (dinov2-l-fb),images",
                "lora,attn-mlp,0.0005,8,4,,a,10,people,Saw_Gerrera,\"afro, illustration\",out,,0.25,3.5,a/out",
                "lora,attn-mlp,0.0005,8,4,,a,10,people,Saw_Gerrera,\"afro, illustration\",base model,0.125,,,a/style");

        ResultsCsv again = ResultsCsv.open(file);
        // 5e-4 is the same row as 0.0005
        assertThat(again.isComplete(labels("5e-4", "out"), List.of("Vendi (dinov2-l-fb)", "Text Similarity"))).isTrue();
        assertThat(again.isComplete(labels("5e-4", "out"), List.of("Style Loss"))).isFalse();
        assertThat(again.isComplete(labels("5e-4", "trigger"), List.of())).isFalse();
        again.put(labels("5e-4", "out"), Map.of("Vendi (dinov2-l-fb)", 4.0), "a/out");
        assertThat(Files.readAllLines(file)).hasSize(3).element(1).asString().endsWith("out,,0.25,4.0,a/out");

        ResultTable table = ResultsReader.read(file, null, null);
        assertThat(table.rows()).hasSize(1);
        assertThat(table.metrics()).contains(new MetricKey("Vendi", "DINOv2", "out"), new MetricKey("Style Loss", "Vgg19", "base model"));
    }

    @Test
    void labelNumbersAreShortDecimals() {
        assertThat(ResultsCsv.label(5e-4)).isEqualTo("0.0005");
        assertThat(ResultsCsv.label(8)).isEqualTo("8");
        assertThat(ResultsCsv.label(10000)).isEqualTo("10000");
        assertThat(ResultsCsv.label(Double.NaN)).isEmpty();
    }
}
