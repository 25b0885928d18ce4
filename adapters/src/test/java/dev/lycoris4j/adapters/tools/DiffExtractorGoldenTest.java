package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.GoldenNetwork;
import dev.lycoris4j.adapters.merge.MergeReport;
import dev.lycoris4j.adapters.merge.Merger;
import dev.lycoris4j.adapters.merge.WeightedAdapter;
import dev.lycoris4j.adapters.tools.RankRule.Mode;
import dev.lycoris4j.adapters.tools.ToolReport.ModuleResult;
import dev.lycoris4j.adapters.tools.ToolReport.Storage;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code extract} on the golden networks' base and merged models (spec §5.1 acceptance). */
class DiffExtractorGoldenTest {
    @TempDir
    Path dir;

    static List<GoldenNetwork> networks() {
        return GoldenNetwork.all();
    }

    /**
     * Full mode in fp32, merged back into the base, gives the merged model: bit for bit wherever fp32 can (an
     * element is reachable when {@code base + (merged − base)} rounds back to {@code merged}, worked out here in
     * Java floats), and within one ulp elsewhere. The modules are the adapter's, under the adapter's own names
     * (net3's generic {@code lycoris_} names become kohya's {@code lora_unet_} for a DiT under {@code transformer.}).
     */
    @ParameterizedTest
    @MethodSource("networks")
    void fullModeMergedBackReproducesTheMergedModel(GoldenNetwork net) throws Exception {
        Path extracted = dir.resolve("full.safetensors");
        ToolReport report = DiffExtractor.extract(net.base(), net.merged(), extracted,
                ExtractOptions.of(RankRule.full()).withDtype(DType.F32), Progress.NONE);

        assertThat(report.skipped()).isEmpty();
        assertThat(report.written()).hasSize(net.modules());
        assertThat(report.totalRelativeError()).isZero();
        Set<String> goldenNames = AdapterFile.read(net.adapter()).modules().stream().map(AdapterModule::name)
                .map(n -> n.replaceFirst("^lycoris_", "lora_unet_")).collect(Collectors.toSet());
        assertThat(report.written().stream().map(ModuleResult::name)).containsExactlyInAnyOrderElementsOf(goldenNames);

        Path merged = dir.resolve("merged.safetensors");
        MergeReport m = Merger.merge(net.base(), List.of(new WeightedAdapter(AdapterFile.read(extracted), 1.0)), merged, null);
        assertThat(m.allMatched()).as(m.adapters().toString()).isTrue();

        long unreachable = 0;
        try (SafetensorsFile base = SafetensorsFile.open(net.base());
             SafetensorsFile golden = SafetensorsFile.open(net.merged());
             SafetensorsFile ours = SafetensorsFile.open(merged)) {
            for (String name : golden.names()) {
                float[] a = Tensors.toFloats(base.tensor(name));
                float[] b = Tensors.toFloats(golden.tensor(name));
                float[] o = Tensors.toFloats(ours.tensor(name));
                for (int i = 0; i < b.length; i++) {
                    float difference = b[i] - a[i];
                    if (a[i] + difference == b[i]) {
                        assertThat(o[i]).as(name + "[" + i + "]").isEqualTo(b[i]);
                    } else {
                        unreachable++;
                        assertThat((double) o[i]).as(name + "[" + i + "]")
                                .isCloseTo(b[i], within((double) Math.ulp(Math.max(Math.abs(a[i]), Math.abs(b[i])))));
                    }
                }
            }
        }
        // net1 and net2 are reproduced bit for bit; one element of net3 lies off fp32's grid of base + difference.
        assertThat(unreachable).isLessThanOrEqualTo(net.name().equals(GoldenNetwork.NET3) ? 1 : 0);
    }

    /**
     * Fixed rank 1 without Tucker: every LoRA module's error is the Eckart–Young bound √(Σ_{i>1} σᵢ²) of its change,
     * with σ computed here from the files by Jacobi; the report states the same error.
     */
    @ParameterizedTest
    @MethodSource("networks")
    void fixedRankOneIsTheBestRankOneApproximation(GoldenNetwork net) throws Exception {
        Path extracted = dir.resolve("rank1.safetensors");
        ToolReport report = DiffExtractor.extract(net.base(), net.merged(), extracted,
                ExtractOptions.of(new RankRule(Mode.FIXED, 1, 1)).withTucker(false).withDtype(DType.F32), Progress.NONE);

        AdapterFile file = AdapterFile.read(extracted);
        int checked = 0;
        try (SafetensorsFile base = SafetensorsFile.open(net.base()); SafetensorsFile tuned = SafetensorsFile.open(net.merged())) {
            for (ModuleResult r : report.written()) {
                assertThat(r.storage()).as(r.name()).isEqualTo(Storage.LORA);
                Tensor d = tuned.tensor(r.source() + ".weight").sub(base.tensor(r.source() + ".weight"));
                int rows = (int) d.size(0);
                int cols = Fixture.cols(d);
                double[] sigma = Spectra.singularValues(Fixture.matrix(d), rows, cols);
                double bound = Spectra.eckartYoungError(sigma, 1);

                AdapterModule module = file.modules().stream().filter(x -> x.name().equals(r.name())).findFirst().orElseThrow();
                assertThat(Tensors.shape(module.tensors().get("alpha"))).containsExactly(1);
                assertThat(Tensors.toDoubles(module.tensors().get("alpha"))).containsExactly(1.0);
                double[] up = Tensors.toDoubles(module.tensors().get("lora_up.weight"));
                double[] down = Tensors.toDoubles(module.tensors().get("lora_down.weight"));
                double[] dd = Fixture.matrix(d);
                double error = 0;
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        double e = dd[i * cols + j] - up[i] * down[j];
                        error += e * e;
                    }
                }
                assertThat(Math.sqrt(error)).as(r.name()).isCloseTo(bound, within(1e-4 * bound));
                assertThat(r.errorNorm()).as(r.name()).isCloseTo(bound, within(1e-4 * bound));
                checked++;
            }
        }
        assertThat(checked).isPositive();
        // Norm layers are stored in full mode only.
        assertThat(report.skipped()).allSatisfy(s -> assertThat(s.reason()).contains("full mode only"));
    }
}
