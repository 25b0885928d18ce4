package dev.lycoris4j.adapters.io;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Splitting files into modules, keeping what is not a module, and per-module load errors, on small hand-made files. */
class AdapterFileTest {
    @TempDir
    Path dir;

    /** A rank-2 LoRA for Linear(3 → 4): down (2, 3), up (4, 2). */
    private static Map<String, Tensor> lora(String name, Tensor alpha) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put(name + ".alpha", alpha);
        t.put(name + ".lora_up.weight", Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2));
        t.put(name + ".lora_down.weight", Tensors.fromFloats(new float[] {.5f, -1, 2, 0, 1, -.25f}, 2, 3));
        return t;
    }

    @Test
    void ourWrittenFileReadsBackIdentically() throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>(lora("lora_te_text_model_q_proj", Tensors.scalar(1)));
        state.putAll(lora("lora_unet_conv_in", Tensors.scalar(2)));
        Path file = dir.resolve("a.safetensors");
        AdapterWriter.write(file, state, Map.of("ss_network_dim", "2"), DType.F32);

        AdapterFile read = AdapterFile.read(file);

        assertThat(read.tensors().keySet()).containsExactlyInAnyOrderElementsOf(state.keySet());
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor back = read.tensors().get(e.getKey());
            assertThat(back.equal(e.getValue().to(DType.F32.scalarType()))).as(e.getKey()).isTrue();
        }
        assertThat(read.metadata()).containsEntry("ss_network_dim", "2")
                .containsEntry("sshs_model_hash", SshsHash.of(state.values().stream()
                        .map(t -> t.to(DType.F32.scalarType())).toList()));
        assertThat(read.modules()).extracting(AdapterModule::name)
                .containsExactlyInAnyOrder("lora_te_text_model_q_proj", "lora_unet_conv_in");
        // Text encoders first, as kohya's state dict has them.
        assertThat(read.stateDict().keySet().iterator().next()).startsWith("lora_te_");
    }

    @Test
    void keysThatFormNoModuleAreReportedWithTheirReasonAndKept() throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>(lora("lora_unet_conv_in", Tensors.scalar(2)));
        state.put("bundle_emb.mychar.string_to_param.*", Tensors.fromFloats(new float[] {1, 2}, 1, 2));
        state.put("lora_vae_decoder_conv_in.lora_up.weight", Tensors.fromFloats(new float[] {1}, 1, 1));
        state.put("lora_unet_conv_out.hada_x", Tensors.fromFloats(new float[] {1}, 1, 1));
        state.put("nodot", Tensors.fromFloats(new float[] {1}, 1));
        Path file = dir.resolve("extras.safetensors");
        SafetensorsWriter.write(file, state, Map.of());

        AdapterFile read = AdapterFile.read(file);

        assertThat(read.modules()).extracting(AdapterModule::name).containsExactly("lora_unet_conv_in");
        Map<String, String> reasons = new LinkedHashMap<>();
        for (UnrecognizedModule u : read.unrecognized()) reasons.put(u.name(), u.reason());
        assertThat(reasons).containsOnlyKeys("bundle_emb", "lora_vae_decoder_conv_in", "lora_unet_conv_out", "nodot");
        assertThat(reasons.get("bundle_emb")).contains("textual-inversion");
        assertThat(reasons.get("lora_vae_decoder_conv_in")).contains("unknown prefix");
        assertThat(reasons.get("lora_unet_conv_out")).contains("no algorithm recognises").contains("hada_x");
        assertThat(reasons.get("nodot")).contains("no '.'");
        assertThat(read.stateDict().keySet()).containsExactlyInAnyOrderElementsOf(state.keySet());
    }

    @Test
    void oneBrokenModuleFailsAloneWithItsName() throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>(lora("lora_unet_good", Tensors.scalar(2)));
        state.putAll(lora("lora_unet_bad", Tensors.scalar(2)));
        state.put("lora_unet_bad.lora_down.weight", Tensors.fromFloats(new float[9], 3, 3)); // rank 3 ≠ up's 2
        Path file = dir.resolve("broken.safetensors");
        SafetensorsWriter.write(file, state, Map.of());

        AdapterFile read = AdapterFile.read(file);
        Map<String, AdapterModule> byName = new LinkedHashMap<>();
        for (AdapterModule m : read.modules()) byName.put(m.name(), m);

        LayerSpec layer = new LayerSpec.Linear(3, 4);
        assertThat(byName.get("lora_unet_good").load(layer).algorithm()).isEqualTo(Algorithm.LORA);
        assertThatThrownBy(() -> byName.get("lora_unet_bad").load(layer))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lora_unet_bad");
    }

    @Test
    void alphaMayBeZeroDimensionalOrShapeOneInAnyDtype() throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.putAll(lora("lora_unet_scalar_f16", Tensors.scalar(1).to(DType.F16.scalarType())));
        state.putAll(lora("lora_unet_shape1_f32", Tensors.fromFloats(new float[] {1}, 1)));
        state.putAll(lora("lora_unet_scalar_i64", Tensors.fromLongs(new long[] {1})));
        Path file = dir.resolve("alphas.safetensors");
        SafetensorsWriter.write(file, state, Map.of());

        for (AdapterModule m : AdapterFile.read(file).modules()) {
            assertThat(m.alpha()).as(m.name()).isEqualTo(1.0);
            Adapter adapter = m.load(new LayerSpec.Linear(3, 4));
            // alpha 1 over rank 2 (spec §1: scale = alpha / r).
            assertThat(adapter.hyperParameters()).as(m.name()).containsEntry("scale", 0.5);
        }
    }

    @Test
    void aFileThatIsNotSafetensorsFailsNamingTheFile() throws Exception {
        Path file = dir.resolve("corrupt.safetensors");
        Files.write(file, new byte[] {1, 2, 3});

        assertThatThrownBy(() -> AdapterFile.read(file)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void writerRefusesDtypesAdaptersAreNotSavedIn() {
        assertThatThrownBy(() -> AdapterWriter.write(dir.resolve("x.safetensors"), lora("lora_unet_a", Tensors.scalar(1)),
                Map.of(), DType.I64)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("I64");
        assertThat(dir.resolve("x.safetensors")).doesNotExist();
        assertThat(List.of(dir.toFile().list())).isEmpty();
    }
}
