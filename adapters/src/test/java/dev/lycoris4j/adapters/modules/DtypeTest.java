package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.lycoris4j.adapters.modules.Fixtures.config;
import static dev.lycoris4j.adapters.modules.Fixtures.linear;
import static org.assertj.core.api.Assertions.assertThat;

/** An adapter computes in its own dtype; outputs and merged weights come back in the layer's. */
class DtypeTest {
    private static final LayerSpec LIN = linear(16, 24);

    @ParameterizedTest
    @EnumSource(names = {"LORA", "LOHA", "LOKR"})
    void bf16AdapterOnAnF32Layer(Algorithm algorithm) {
        torch.manual_seed(21);
        Adapter f32 = Fixtures.randomized("m", LIN, config(algorithm, 4, 2).factor(4).build(), null);
        Map<String, Tensor> bf16 = new LinkedHashMap<>();
        f32.stateDict().forEach((k, v) -> bf16.put(k, Tensors.to(v, DType.BF16)));
        Adapter a = AdapterFormats.load("m", LIN, bf16);
        Tensor w = torch.randn(24, 16), x = torch.randn(3, 16);
        Tensor merged = a.forward(x, w, null, 1.0);
        Tensor bypass = a.bypassForward(x, LIN.apply(x, w, null), w, null, 1.0);
        assertThat(Tensors.dtype(merged)).isEqualTo(DType.F32);
        assertThat(Tensors.dtype(bypass)).isEqualTo(DType.F32);
        assertThat(Tensors.dtype(a.mergedWeights(w, null, 1.0).weight())).isEqualTo(DType.F32);
        assertThat(Tensors.maxAbsDiff(bypass, merged)).isLessThan(0.05 * (1 + merged.abs().max().item_double()));
    }

    @ParameterizedTest
    @EnumSource(names = {"LORA", "LOHA", "LOKR"})
    void f32AdapterOnAnF16Layer(Algorithm algorithm) {
        torch.manual_seed(22);
        Adapter a = Fixtures.randomized("m", LIN, config(algorithm, 4, 2).factor(4).build(), null);
        Tensor w = Tensors.to(torch.randn(24, 16), DType.F16), x = Tensors.to(torch.randn(3, 16), DType.F16);
        Tensor merged = a.forward(x, w, null, 1.0);
        Tensor bypass = a.bypassForward(x, LIN.apply(x, w, null), w, null, 1.0);
        assertThat(Tensors.dtype(merged)).isEqualTo(DType.F16);
        assertThat(Tensors.dtype(bypass)).isEqualTo(DType.F16);
        assertThat(Tensors.maxAbsDiff(bypass, merged)).isLessThan(0.01 * (1 + merged.abs().max().item_double()));
    }
}
