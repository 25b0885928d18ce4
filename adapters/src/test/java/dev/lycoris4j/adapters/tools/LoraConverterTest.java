package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.GoldenNetwork;
import dev.lycoris4j.adapters.merge.MergeReport;
import dev.lycoris4j.adapters.merge.Merger;
import dev.lycoris4j.adapters.merge.WeightedAdapter;
import dev.lycoris4j.adapters.tools.ToolReport.ModuleResult;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** {@code convert --to lora} against the golden cases' ΔW and the golden networks' merged models. */
class LoraConverterTest {
    private static final int FULL_RANK = 1000;

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

    private static Path caseFile(String name) {
        return Golden.path("lycoris/cases/" + name + ".safetensors");
    }

    /** ΔW of a LoRA module as written: {@code (alpha / r)·up·down}, flattened to (out, in·k…). */
    private static Tensor loraDelta(Map<String, Tensor> t) {
        Tensor up = Tensors.to(t.get("lora_up.weight"), DType.F32);
        Tensor down = Tensors.to(t.get("lora_down.weight"), DType.F32);
        long r = down.size(0);
        double scale = t.containsKey("alpha") ? Tensors.toDoubles(t.get("alpha"))[0] / r : 1;
        return up.reshape(up.size(0), r).matmul(down.reshape(r, -1)).mul(Tensors.scalar(scale));
    }

    private static double relative(Tensor actual, Tensor expected) {
        return LowRank.distance(actual.reshape(-1), expected.reshape(-1)) / LowRank.norm(expected);
    }

    private static Map<String, Tensor> only(Path file) throws Exception {
        List<AdapterModule> modules = AdapterFile.read(file).modules();
        assertThat(modules).hasSize(1);
        return modules.getFirst().tensors();
    }

    /** Every LoHa and LoKr golden case at full rank: the LoRA's ΔW is the forward's ΔW ({@code io.delta_w}). */
    @ParameterizedTest
    @ValueSource(strings = {"loha_r4_a2_linear", "loha_r4_a4_linear", "loha_r4_a2_conv", "loha_r4_a2_conv_tucker",
            "loha_r4_a4_conv_tucker", "lokr_fm1_r2_a1_linear", "lokr_fm1_r4_linear_fullw2", "lokr_f4_r4_a2_linear",
            "lokr_f4_r4_a4_linear", "lokr_f8_r2_a1_decompose_both_linear", "lokr_f4_dim10000_linear",
            "lokr_f2_full_matrix_linear", "lokr_f4_r4_a2_unbalanced_linear", "lokr_fm1_r2_a1_conv",
            "lokr_fm1_r2_a1_conv_tucker", "lokr_f4_r4_conv_fullw2", "lokr_f8_dim10000_conv"})
    void fullRankReproducesTheGoldenDelta(String name) throws Exception {
        Path out = dir.resolve(name + ".safetensors");
        ToolReport report = LoraConverter.convert(caseFile(name), out,
                new ConvertOptions(FULL_RANK, null, null, DType.F32), Progress.NONE);

        Tensor expected;
        try (SafetensorsFile golden = SafetensorsFile.open(caseFile(name))) {
            expected = golden.tensor("io.delta_w");
        }
        Map<String, Tensor> lora = only(out);
        assertThat(relative(loraDelta(lora), expected)).as(name).isLessThan(1e-5);
        assertThat(report.written()).singleElement().satisfies(m -> {
            assertThat(m.name()).isEqualTo("lycoris_layer");
            assertThat(m.relativeError()).isLessThan(1e-5);
            assertThat(m.rank()).isEqualTo(Math.min(expected.size(0), expected.numel() / expected.size(0)));
        });
        // The case's reference tensors (base.*, io.*) are no adapter module: reported, not converted.
        assertThat(report.skipped()).extracting(ToolReport.Skipped::name).contains("base", "io");
    }

    /** A lower rank is the best approximation of that rank: the error is the Eckart–Young bound of ΔW. */
    @Test
    void lowerRankGivesTheBestApproximation() throws Exception {
        Path out = dir.resolve("r3.safetensors");
        ToolReport report = LoraConverter.convert(caseFile("loha_r4_a2_linear"), out,
                new ConvertOptions(3, null, null, DType.F32), Progress.NONE);

        Tensor expected;
        try (SafetensorsFile golden = SafetensorsFile.open(caseFile("loha_r4_a2_linear"))) {
            expected = golden.tensor("io.delta_w");
        }
        double[] sigma = Spectra.singularValues(Fixture.matrix(expected), 48, 64);
        double bound = Spectra.eckartYoungError(sigma, 3);
        assertThat(LowRank.distance(loraDelta(only(out)), expected)).isCloseTo(bound, within(1e-4 * bound));
        assertThat(report.totalRelativeError()).isCloseTo(bound / LowRank.norm(expected),
                within(1e-4 * bound / LowRank.norm(expected)));
    }

    /**
     * net2 (LoHa, LoKr and Norm modules, bf16) at full rank with its base for the exact conv shapes: merging the
     * LoRA changes every converted weight as the reference's merge of the original did. Norm modules have no LoRA form.
     */
    @Test
    void net2ConvertsEveryLohaAndLokrModule() throws Exception {
        GoldenNetwork net = GoldenNetwork.named(GoldenNetwork.NET2);
        Path out = dir.resolve("net2.safetensors");
        ToolReport report = LoraConverter.convert(net.adapter(), out,
                new ConvertOptions(FULL_RANK, null, net.base(), DType.F32), Progress.NONE);

        long norms = net.moduleClasses().values().stream().filter(c -> c.equals("NormModule")).count();
        assertThat(report.written()).hasSize(net.modules() - (int) norms);
        assertThat(report.skipped()).hasSize((int) norms)
                .allSatisfy(s -> assertThat(s.reason()).isEqualTo("norm layers have no LoRA form"));
        assertThat(report.written()).allSatisfy(m -> assertThat(m.relativeError()).as(m.name()).isLessThan(1e-5));

        Path merged = dir.resolve("net2-merged.safetensors");
        MergeReport m = Merger.merge(net.base(), List.of(new WeightedAdapter(AdapterFile.read(out), 1.0)), merged, null);
        assertThat(m.allMatched()).as(m.adapters().toString()).isTrue();
        assertThat(m.changedTensors()).hasSize(report.written().size());
        try (SafetensorsFile base = SafetensorsFile.open(net.base());
             SafetensorsFile golden = SafetensorsFile.open(net.merged());
             SafetensorsFile ours = SafetensorsFile.open(merged)) {
            for (String weight : m.changedTensors()) {
                Tensor expected = golden.tensor(weight).sub(base.tensor(weight));
                Tensor actual = ours.tensor(weight).sub(base.tensor(weight));
                assertThat(relative(actual, expected)).as(weight).isLessThan(1e-5);
            }
        }
    }

    /**
     * Algorithms whose change depends on the weight need the base: with it, full rank reproduces the forward's
     * ΔW; without it, the conversion refuses with the module and what to pass.
     */
    @ParameterizedTest
    @ValueSource(strings = {"oft_dim4_linear", "boft_dim6_linear", "ia3_linear_out", "glora_r4_a4_linear",
            "dora_lora_r4_a2_linear", "oft_dim4_conv"})
    void baseDependentAlgorithmsConvertAgainstTheBase(String name) throws Exception {
        Path checkpoint = dir.resolve("layer.safetensors");
        Tensor expected;
        try (SafetensorsFile golden = SafetensorsFile.open(caseFile(name))) {
            Fixture.write(checkpoint, Map.of("layer.weight", golden.tensor("base.weight"), "layer.bias", golden.tensor("base.bias")));
            expected = golden.tensor("io.delta_w");
        }
        assertThatThrownBy(() -> LoraConverter.convert(caseFile(name), dir.resolve("no-base.safetensors"),
                new ConvertOptions(FULL_RANK, null, null, DType.F32), Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("module lycoris_layer (")
                .hasMessageEndingWith("its ΔW needs the base model: pass --base CKPT");

        Path out = dir.resolve(name + ".safetensors");
        LoraConverter.convert(caseFile(name), out, new ConvertOptions(FULL_RANK, null, checkpoint, DType.F32), Progress.NONE);
        assertThat(relative(loraDelta(only(out)), expected)).as(name).isLessThan(1e-5);
    }

    /**
     * net1 to diffusers/PEFT keys (paths from its base) and back to kohya keys (paths from the PEFT keys, no base):
     * the names come back, and the result merges like the original.
     */
    @Test
    void peftKeysRoundTripThroughNet1() throws Exception {
        GoldenNetwork net = GoldenNetwork.named(GoldenNetwork.NET1);
        Path peft = dir.resolve("peft.safetensors");
        LoraConverter.convert(net.adapter(), peft, new ConvertOptions(4, KeyStyle.PEFT, net.base(), DType.F32), Progress.NONE);

        Map<String, Tensor> keys = Fixture.read(peft);
        assertThat(keys).containsKeys("unet.conv_in.lora_A.weight", "unet.conv_in.lora_B.weight",
                "text_encoder.text_model.encoder.layers.0.mlp.fc1.lora_A.weight");
        assertThat(keys.keySet()).allSatisfy(k -> assertThat(k).matches(".*\\.lora_[AB]\\.weight"));
        assertThat(Tensors.shape(keys.get("unet.conv_in.lora_A.weight"))).containsExactly(4, 4, 3, 3); // min(4, out 8, in·k·k 36)
        assertThat(keys).hasSize(2 * net.modules());

        Path kohya = dir.resolve("kohya.safetensors");
        ToolReport back = LoraConverter.convert(peft, kohya, new ConvertOptions(4, KeyStyle.KOHYA, null, DType.F32), Progress.NONE);
        Set<String> original = AdapterFile.read(net.adapter()).modules().stream().map(AdapterModule::name).collect(Collectors.toSet());
        assertThat(back.written()).extracting(ModuleResult::name).containsExactlyInAnyOrderElementsOf(original);

        Path merged = dir.resolve("merged.safetensors");
        Merger.merge(net.base(), List.of(new WeightedAdapter(AdapterFile.read(kohya), 1.0)), merged, null);
        Map<String, Tensor> ours = Fixture.read(merged);
        Map<String, Tensor> golden = Fixture.read(net.merged());
        for (String k : golden.keySet()) assertClose(k, ours.get(k), golden.get(k), 1e-5, 0);
    }

    @Test
    void renamingWithoutModulePathsAsksForTheBase() {
        GoldenNetwork net = GoldenNetwork.named(GoldenNetwork.NET1);
        assertThatThrownBy(() -> LoraConverter.convert(net.adapter(), dir.resolve("x.safetensors"),
                new ConvertOptions(4, KeyStyle.PEFT, null, DType.F16), Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("to peft keys needs its module path").hasMessageContaining("pass --base CKPT");
    }

    @Test
    void fullModulesLoseTheirBiasChangeAndSaySo() throws Exception {
        Path out = dir.resolve("full.safetensors");
        ToolReport report = LoraConverter.convert(caseFile("full_linear"), out,
                new ConvertOptions(FULL_RANK, KeyStyle.LYCORIS, null, DType.F16), Progress.NONE);

        assertThat(report.written()).singleElement().satisfies(m -> {
            assertThat(m.notes()).containsExactly("bias change dropped: LoRA has no bias");
            assertThat(m.source()).isEqualTo("full");
            // fp16 factors: the report measures what was written.
            assertThat(m.relativeError()).isPositive().isLessThan(1e-2);
        });
        Map<String, Tensor> t = only(out);
        assertThat(t.values()).allSatisfy(x -> assertThat(Tensors.dtype(x)).isEqualTo(DType.F16));
        assertThat(AdapterFile.read(out).metadata()).containsEntry("ss_network_module", "networks.lora")
                .containsEntry("ss_network_dim", "1000");
    }
}
