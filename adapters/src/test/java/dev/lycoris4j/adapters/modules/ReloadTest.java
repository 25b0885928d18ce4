package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trained adapter saved to a file and loaded back computes the same weight: hyper-parameters are rebuilt
 * from shapes (unbalanced and Tucker LoKr, on-input DoRA included), {@code use_scalar} is folded in, the saved
 * alpha carries the training scale (rs-LoRA, LoKr's full-full alpha = r).
 */
class ReloadTest {
    @TempDir Path tmp;

    static Stream<Arguments> variants() {
        return BypassEquivalenceTest.variants();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void savedAndLoadedAdapterComputesTheSameWeight(String name, LayerSpec layer, AdapterConfig c) throws Exception {
        torch.manual_seed(name.hashCode());
        Tensor w = Fixtures.randn(layer.weightShape());
        Adapter a = Fixtures.randomized("lora_unet_x", layer, c, w);
        Map<String, Tensor> sd = a.stateDict();
        Map<String, Tensor> prefixed = new LinkedHashMap<>();
        sd.forEach((k, v) -> prefixed.put("lora_unet_x." + k, v));
        Path file = tmp.resolve("a.safetensors");
        SafetensorsWriter.write(file, prefixed, Map.of());
        Map<String, Tensor> read = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String n : f.names()) read.put(n.substring("lora_unet_x.".length()), f.tensor(n));
        }
        Adapter back = AdapterFormats.load("lora_unet_x", layer, read);
        assertThat(back.getClass()).isEqualTo(a.getClass());
        assertThat(((DeltaAdapter) back).scale()).isEqualTo(((DeltaAdapter) a).scale());
        Tensor merged = a.mergedWeights(w, null, 0.6).weight();
        assertThat(Tensors.maxAbsDiff(back.mergedWeights(w, null, 0.6).weight(), merged))
                .isLessThan(1e-5 * (1 + merged.abs().max().item_double()));
        Map<String, Tensor> sd2 = back.stateDict();
        assertThat(sd2.keySet()).containsExactlyElementsOf(sd.keySet());
        for (String k : sd.keySet()) {
            assertThat(torch.equal(sd2.get(k), sd.get(k))).as(k).isTrue();
            assertThat(Tensors.dtype(sd2.get(k))).as(k).isEqualTo(Tensors.dtype(sd.get(k)));
        }
    }
}
