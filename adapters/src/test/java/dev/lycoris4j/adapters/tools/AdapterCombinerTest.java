package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.GoldenNetwork;
import dev.lycoris4j.adapters.merge.MergeReport;
import dev.lycoris4j.adapters.merge.Merger;
import dev.lycoris4j.adapters.merge.WeightedAdapter;
import dev.lycoris4j.adapters.tools.ToolReport.ModuleResult;
import dev.lycoris4j.adapters.tools.ToolReport.Storage;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code merge --combine}: merging the combined file does what merging its parts does. */
class AdapterCombinerTest {
    private static final GoldenNetwork NET1 = GoldenNetwork.named(GoldenNetwork.NET1);

    @TempDir
    Path dir;
    private NoGrad noGrad;

    @BeforeEach
    void open() {
        noGrad = new NoGrad();
    }

    @AfterEach
    void close() {
        noGrad.close();
    }

    private Map<String, Tensor> merge(Path base, List<WeightedAdapter> adapters, String name) throws Exception {
        Path out = dir.resolve(name);
        MergeReport report = Merger.merge(base, adapters, out, null);
        assertThat(report.allMatched()).as(report.adapters().toString()).isTrue();
        return Fixture.read(out);
    }

    /** A second LoRA over every other module of net1, with seeded factors of the same shapes. */
    private Path otherLora() throws Exception {
        Random rng = new Random(5);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<AdapterModule> modules = AdapterFile.read(NET1.adapter()).modules();
        for (int i = 0; i < modules.size(); i += 2) {
            AdapterModule m = modules.get(i);
            m.tensors().forEach((suffix, t) -> tensors.put(m.name() + "." + suffix,
                    suffix.equals("alpha") ? t : Tensors.to(Fixture.random(rng, 0.1, Tensors.shape(t)), DType.F16)));
        }
        Path file = dir.resolve("other.safetensors");
        Fixture.write(file, tensors);
        return file;
    }

    @Test
    void combiningTwoLorasThenMergingEqualsMergingBoth() throws Exception {
        AdapterFile a = AdapterFile.read(NET1.adapter());
        AdapterFile b = AdapterFile.read(otherLora());
        List<WeightedAdapter> both = List.of(new WeightedAdapter(a, 0.8), new WeightedAdapter(b, -0.5));
        Path combined = dir.resolve("combined.safetensors");
        ToolReport report = AdapterCombiner.combine(both, combined, new CombineOptions(null, null, DType.F32), Progress.NONE);

        assertThat(report.written()).hasSize(NET1.modules()).allSatisfy(m -> assertThat(m.storage()).isEqualTo(Storage.FULL));
        assertThat(report.written()).filteredOn(m -> m.source().contains(" + ")).hasSize((NET1.modules() + 1) / 2);
        assertThat(report.totalRelativeError()).isZero();
        Map<String, Tensor> viaCombined = merge(NET1.base(), List.of(new WeightedAdapter(AdapterFile.read(combined), 1.0)), "c.safetensors");
        Map<String, Tensor> direct = merge(NET1.base(), both, "d.safetensors");
        for (String k : direct.keySet()) assertClose(k, viaCombined.get(k), direct.get(k), 1e-6, 1e-6);
    }

    /** Half plus half of the same LoRA, kept as a LoRA of its rank, is the LoRA at full strength. */
    @Test
    void combiningIntoALoraOfEnoughRankLosesNothing() throws Exception {
        AdapterFile a = AdapterFile.read(NET1.adapter());
        Path combined = dir.resolve("halves.safetensors");
        ToolReport report = AdapterCombiner.combine(List.of(new WeightedAdapter(a, 0.5), new WeightedAdapter(a, 0.5)),
                combined, new CombineOptions(4, null, DType.F32), Progress.NONE);

        assertThat(report.written()).allSatisfy(m -> {
            assertThat(m.storage()).isEqualTo(Storage.LORA);
            assertThat(m.relativeError()).isLessThan(1e-5);
        });
        assertThat(AdapterFile.read(combined).modules()).allSatisfy(m -> assertThat(m.tensors()).containsKeys(
                "alpha", "lora_up.weight", "lora_down.weight"));
        Map<String, Tensor> viaCombined = merge(NET1.base(), List.of(new WeightedAdapter(AdapterFile.read(combined), 1.0)), "c.safetensors");
        Map<String, Tensor> golden = Fixture.read(NET1.merged());
        for (String k : golden.keySet()) assertClose(k, viaCombined.get(k), golden.get(k), 1e-5, 0);
    }

    /** net2 (LoHa, LoKr, Norm) alone, stored whole against its base's shapes: merging it is the reference's merge. */
    @Test
    void net2CombinedWholeMergesLikeTheReference() throws Exception {
        GoldenNetwork net = GoldenNetwork.named(GoldenNetwork.NET2);
        Path combined = dir.resolve("net2.safetensors");
        ToolReport report = AdapterCombiner.combine(List.of(new WeightedAdapter(AdapterFile.read(net.adapter()), 1.0)),
                combined, new CombineOptions(null, net.base(), DType.F32), Progress.NONE);

        long norms = net.moduleClasses().values().stream().filter(c -> c.equals("NormModule")).count();
        assertThat(report.written()).filteredOn(m -> m.storage() == Storage.NORM).hasSize((int) norms);
        assertThat(report.written()).hasSize(net.modules());
        Map<String, Tensor> ours = merge(net.base(), List.of(new WeightedAdapter(AdapterFile.read(combined), 1.0)), "m.safetensors");
        Map<String, Tensor> golden = Fixture.read(net.merged());
        for (String k : golden.keySet()) assertClose(k, ours.get(k), golden.get(k), 1e-5, 1e-5);
    }

    @Test
    void baseDependentAdaptersNeedTheBaseAndAreExactAgainstIt() throws Exception {
        Path adapter = Golden.path("lycoris/cases/boft_dim6_linear.safetensors");
        Path checkpoint = dir.resolve("layer.safetensors");
        Tensor w;
        Tensor expected;
        try (SafetensorsFile golden = SafetensorsFile.open(adapter)) {
            w = golden.tensor("base.weight");
            Fixture.write(checkpoint, Map.of("layer.weight", w, "layer.bias", golden.tensor("base.bias")));
            expected = golden.tensor("io.delta_w");
        }
        List<WeightedAdapter> one = List.of(new WeightedAdapter(AdapterFile.read(adapter), 1.0));
        assertThatThrownBy(() -> AdapterCombiner.combine(one, dir.resolve("x.safetensors"),
                new CombineOptions(null, null, DType.F32), Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("module lycoris_layer (boft)")
                .hasMessageContaining("pass --base CKPT");

        Path combined = dir.resolve("boft.safetensors");
        ToolReport report = AdapterCombiner.combine(one, combined, new CombineOptions(null, checkpoint, DType.F32), Progress.NONE);
        assertThat(report.written()).extracting(ModuleResult::source).containsExactly("boft×1.0");
        assertClose("diff", Fixture.read(combined).get("lycoris_layer.diff"), expected, 1e-5, 1e-5);
    }

    @Test
    void modulesWhoseLayersDisagreeAreSkipped() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("lora_unet_conv_in.lora_up.weight", Fixture.random(new Random(1), 0.1, 9, 2));
        t.put("lora_unet_conv_in.lora_down.weight", Fixture.random(new Random(2), 0.1, 2, 36));
        Path odd = dir.resolve("odd.safetensors");
        Fixture.write(odd, t);
        ToolReport report = AdapterCombiner.combine(List.of(new WeightedAdapter(AdapterFile.read(NET1.adapter()), 1.0),
                new WeightedAdapter(AdapterFile.read(odd), 1.0)), dir.resolve("x.safetensors"),
                new CombineOptions(null, null, DType.F16), Progress.NONE);

        assertThat(report.skipped()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("lora_unet_conv_in");
            assertThat(s.reason()).contains("disagree on the layer").contains("[9, 36]").contains("[8, 4, 3, 3]");
        });
        assertThat(report.written()).hasSize(NET1.modules() - 1);
    }
}
