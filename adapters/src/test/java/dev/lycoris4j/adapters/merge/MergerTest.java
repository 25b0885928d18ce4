package dev.lycoris4j.adapters.merge;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.GoldenNetwork;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** Merge invariants: stacking, scale 0, and every module that cannot merge reported with its reason. */
class MergerTest {
    @TempDir
    Path dir;

    private final GoldenNetwork net1 = GoldenNetwork.named(GoldenNetwork.NET1);

    @Test
    void twoHalfScaleStacksOfALoraEqualOneFullScaleMerge() throws Exception {
        AdapterFile adapter = AdapterFile.read(net1.adapter());
        Path once = dir.resolve("once.safetensors");
        Path twice = dir.resolve("twice.safetensors");
        Merger.merge(net1.base(), List.of(new WeightedAdapter(adapter, 1.0)), once, null);
        MergeReport report = Merger.merge(net1.base(),
                List.of(new WeightedAdapter(adapter, 0.5), new WeightedAdapter(adapter, 0.5)), twice, null);

        assertThat(report.adapters()).hasSize(2).allSatisfy(a -> assertThat(a.matched()).hasSize(net1.modules()));
        try (SafetensorsFile a = SafetensorsFile.open(once); SafetensorsFile b = SafetensorsFile.open(twice)) {
            for (String name : a.names()) assertClose(name, b.tensor(name), a.tensor(name), 1e-6, 0);
        }
    }

    @Test
    void scaleZeroGivesBackTheBaseByteForByte() throws Exception {
        Path out = dir.resolve("zero.safetensors");
        Merger.merge(net1.base(), List.of(new WeightedAdapter(AdapterFile.read(net1.adapter()), 0.0)), out, null);

        try (SafetensorsFile base = SafetensorsFile.open(net1.base()); SafetensorsFile ours = SafetensorsFile.open(out)) {
            for (String name : base.names()) {
                assertThat(ours.bytes(name).toArray(ValueLayout.JAVA_BYTE)).as(name)
                        .isEqualTo(base.bytes(name).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void modulesOfAnotherModelAreAllReportedAndNothingChanges() throws Exception {
        GoldenNetwork net3 = GoldenNetwork.named(GoldenNetwork.NET3);
        Path out = dir.resolve("foreign.safetensors");
        MergeReport report = Merger.merge(net3.base(), List.of(new WeightedAdapter(AdapterFile.read(net1.adapter()), 1.0)),
                out, null);

        MergeReport.AdapterReport r = report.adapters().getFirst();
        assertThat(r.matched()).isEmpty();
        assertThat(r.unmatched()).hasSize(net1.modules())
                .allSatisfy(m -> assertThat(m.reason()).contains("no matching module"));
        assertThat(report.changedTensors()).isEmpty();
        try (SafetensorsFile base = SafetensorsFile.open(net3.base())) {
            assertThat(report.copiedTensors()).isEqualTo(base.names().size());
        }
    }

    @Test
    void aModuleThatDoesNotFitItsWeightAndKeysOfNoModuleAreReported() throws Exception {
        // conv_in is (8, 4, 3, 3) in net1's base; a LoRA for a (5, 4) Linear cannot merge into it.
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("lora_unet_conv_in.alpha", Tensors.scalar(1));
        state.put("lora_unet_conv_in.lora_up.weight", Tensors.fromFloats(new float[5], 5, 1));
        state.put("lora_unet_conv_in.lora_down.weight", Tensors.fromFloats(new float[4], 1, 4));
        state.put("bundle_emb.x.string_to_param.*", Tensors.fromFloats(new float[2], 1, 2));
        Path adapter = dir.resolve("misfit.safetensors");
        SafetensorsWriter.write(adapter, state, Map.of());

        MergeReport report = Merger.merge(net1.base(), List.of(new WeightedAdapter(AdapterFile.read(adapter), 1.0)),
                dir.resolve("out.safetensors"), null);

        Map<String, String> reasons = new LinkedHashMap<>();
        for (MergeReport.Miss m : report.adapters().getFirst().unmatched()) reasons.put(m.module(), m.reason());
        assertThat(reasons).containsOnlyKeys("lora_unet_conv_in", "bundle_emb");
        assertThat(reasons.get("lora_unet_conv_in")).contains("unet.conv_in.weight");
        assertThat(reasons.get("bundle_emb")).contains("textual-inversion");
        assertThat(report.changedTensors()).isEmpty();
    }
}
