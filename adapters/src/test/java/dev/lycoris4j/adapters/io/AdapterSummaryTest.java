package dev.lycoris4j.adapters.io;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.io.AdapterSummary.ModuleSummary;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AdapterSummaryTest {

    /** net1: LoCon everywhere, rank from lora_down's shape in the keys file, scale = alpha / rank (spec §1). */
    @Test
    void net1ModulesReportRankAlphaScaleAndTheirParameterCount() throws Exception {
        GoldenNetwork net = GoldenNetwork.named(GoldenNetwork.NET1);
        AdapterFile file = AdapterFile.read(net.adapter());

        AdapterSummary summary = AdapterSummary.of(file);

        assertThat(summary.modules()).hasSize(net.modules());
        assertThat(summary.algorithmCounts()).isEqualTo(Map.of(Algorithm.LORA, net.modules()));
        long expectedTotal = 0;
        for (Map.Entry<String, long[]> e : net.shapes().entrySet()) {
            if (!e.getKey().endsWith(".alpha")) expectedTotal += product(e.getValue());
        }
        assertThat(summary.parameters()).isEqualTo(expectedTotal);
        assertThat(summary.metadata()).isEqualTo(net.metadata());
        for (ModuleSummary m : summary.modules()) {
            long rank = net.shapes().get(m.name() + ".lora_down.weight")[0];
            double alpha = file.modules().stream().filter(x -> x.name().equals(m.name())).findFirst().orElseThrow().alpha();
            assertThat(m.error()).as(m.name()).isNull();
            assertThat(m.dtypes()).isEqualTo("F16");
            assertThat(((Number) m.hyperParameters().get("rank")).longValue()).as(m.name()).isEqualTo(rank);
            assertThat((Double) m.hyperParameters().get("alpha")).as(m.name()).isEqualTo(alpha);
            assertThat((Double) m.hyperParameters().get("scale")).as(m.name()).isEqualTo(alpha / rank);
            assertThat(m.tensors().get("lora_down.weight").shape()).isEqualTo(net.shapes().get(m.name() + ".lora_down.weight"));
        }
    }

    @Test
    void everyGoldenModuleRebuildsFromItsShapesAlone() throws Exception {
        for (GoldenNetwork net : GoldenNetwork.all()) {
            for (ModuleSummary m : AdapterSummary.of(AdapterFile.read(net.adapter())).modules()) {
                assertThat(m.error()).as(net + " " + m.name()).isNull();
                assertThat(m.hyperParameters()).as(net + " " + m.name()).containsKey("layer");
            }
        }
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
