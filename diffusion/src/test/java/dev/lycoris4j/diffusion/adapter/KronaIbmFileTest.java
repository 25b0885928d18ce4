package dev.lycoris4j.diffusion.adapter;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.KronaIbmFile;
import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.Architectures;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** DiffuseKronA files in IBM's (diffusers save_lora_weights) layout, written and read as whole files. */
class KronaIbmFileTest {
    @TempDir
    Path dir;

    /** The attention projections DiffuseKronA adapts: every attn1/attn2 to_q, to_k, to_v, to_out.0 of the UNet. */
    private static Map<String, Linear> attentionProjections(Module unet) {
        Map<String, Linear> out = new LinkedHashMap<>();
        for (var e : unet.namedModules().entrySet()) {
            if (e.getKey().matches(".*\\.attn[12]\\.(to_q|to_k|to_v|to_out\\.0)") && e.getValue() instanceof Linear l) {
                out.put("unet." + e.getKey(), l);
            }
        }
        return out;
    }

    @Test
    void sdxlKqvoAt4x64HasThePublishedSizeAndParameterCount() throws Exception {
        UNet2DConditionModel unet = new UNet2DConditionModel(Architectures.sdxlUnet(), Placement.meta());
        Map<String, Linear> layers = attentionProjections(unet);
        assertThat(layers).hasSize(560); // evaluation-reference §4.2: 70 transformer blocks × 8
        AdapterConfig c = AdapterConfig.builder(Algorithm.KRONA, 0, 0).a1(4).a2(64).build();
        Map<String, Map<String, Tensor>> modules = new LinkedHashMap<>();
        for (var e : layers.entrySet()) {
            Adapter a = AdapterFormats.create(e.getKey(), e.getValue().spec(), c, null);
            modules.put(e.getKey(), a.stateDict());
        }
        Path f = dir.resolve("pytorch_lora_weights.safetensors");
        KronaIbmFile.write(f, modules);
        // evaluation-reference §4.5: 1120 tensors, 3,874,560 fp32 values, "14.95 MB" (15,673,465 bytes). The exact
        // header length depends on the tensor order (the digits of the data offsets) and on padding: ours, padded
        // to 8 bytes and ordered like the Rust library, is a few bytes off that figure; the data is exact.
        long size = Files.size(f);
        assertThat(size - 8 - headerLength(f)).isEqualTo(3_874_560L * 4);
        assertThat(Math.round(size / (double) (1 << 20) * 100) / 100.0).isEqualTo(14.95);
        assertThat(Math.abs(size - 15_673_465L)).isLessThan(16);
        AdapterFile read = AdapterFile.read(f);
        assertThat(read.modules()).hasSize(560);
        assertThat(read.unrecognized()).isEmpty();
        assertThat(read.modules().stream().mapToLong(AdapterModule::storedParameters).sum()).isEqualTo(3_874_560L);
        assertThat(read.modules().getFirst().name()).startsWith("lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn1_");
    }

    private static long headerLength(Path f) throws java.io.IOException {
        try (var in = Files.newInputStream(f)) {
            return java.nio.ByteBuffer.wrap(in.readNBytes(8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    @Test
    void anIbmFileAppliesToAModelAndKeepsItsDelta() throws Exception {
        StableDiffusion sd = SdLoader.load(Golden.path("sd/sd15_tiny"), SdLoader.Options.defaults());
        Map<String, Linear> layers = attentionProjections(sd.unet());
        AdapterConfig c = AdapterConfig.builder(Algorithm.KRONA, 0, 0).a1(4).a2(8).build();
        torch.manual_seed(3);
        Map<String, Map<String, Tensor>> modules = new LinkedHashMap<>();
        Map<String, Tensor> deltas = new LinkedHashMap<>();
        for (var e : layers.entrySet()) {
            Adapter a = AdapterFormats.create(e.getKey(), e.getValue().spec(), c, null);
            Map<String, Tensor> sd0 = new LinkedHashMap<>(a.stateDict());
            sd0.replaceAll((k, t) -> torch.randn_like(t)); // B starts at 0; give it content so ΔW ≠ 0
            Adapter filled = AdapterFormats.of(Algorithm.KRONA).loader().load(e.getKey(), e.getValue().spec(), sd0);
            modules.put(e.getKey(), filled.stateDict());
            Tensor w = e.getValue().weight();
            deltas.put(e.getKey(), filled.mergedWeights(w, null, 1.0).weight().sub(w));
        }
        Path f = dir.resolve("krona.safetensors");
        KronaIbmFile.write(f, modules);
        AppliedAdapter applied = RuntimeAdapters.apply(sd, f, 1.0, false);
        assertThat(applied.isComplete()).as(applied.report()).isTrue();
        assertThat(applied.matched()).hasSize(layers.size());
        for (AppliedAdapter.Match m : applied.matched()) {
            Linear layer = layers.get(m.layerPath());
            Tensor delta = m.adapter().mergedWeights(layer.weight(), null, 1.0).weight().sub(layer.weight());
            assertClose(m.layerPath(), delta, deltas.get(m.layerPath()), 1e-6, 0);
        }
    }
}
