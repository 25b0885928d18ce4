package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.lycoris4j.adapters.modules.Fixtures.conv2d;
import static dev.lycoris4j.adapters.modules.Fixtures.linear;
import static dev.lycoris4j.adapters.modules.Fixtures.randn;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Malformed modules of OFT, BOFT, IA3, GLoRA, Full and Norm fail with the module name, the key and the problem. */
class OtherLoadErrorsTest {
    private static final String NAME = "lora_unet_mid_block_attn";
    private static final LayerSpec LINEAR = linear(10, 12);

    private static Map<String, Tensor> keys(Object... kv) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Tensor) kv[i + 1]);
        return m;
    }

    private static void fails(LayerSpec layer, Map<String, Tensor> t, String... fragments) {
        var assertion = assertThatThrownBy(() -> AdapterFormats.load(NAME, layer, t))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(NAME);
        for (String f : fragments) assertion.hasMessageContaining(f);
    }

    @Test
    void oft() {
        fails(LINEAR, keys("oft_blocks", randn(5, 2, 2), "alpha", Tensors.scalar(0)), "oft_blocks", "out = 12");
        fails(LINEAR, keys("oft_blocks", randn(3, 4), "alpha", Tensors.scalar(0)), "oft_blocks");
        fails(LINEAR, keys("oft_blocks", randn(3, 4, 4), "rescale", randn(10, 1)), "rescale", "[12, 1]");
        fails(LINEAR, keys("oft_blocks", randn(3, 4, 4), "alpha", Tensors.scalar(-1)), "constraint");
        fails(LINEAR, keys("oft_blocks", randn(3, 4, 4), "lora_up.weight", randn(12, 2)), "lora_down.weight");
    }

    @Test
    void boft() {
        fails(LINEAR, keys("oft_blocks", randn(2, 3, 4, 4)), "power of two");
        fails(linear(10, 16), keys("oft_blocks", randn(5, 4, 4, 4)), "stages");
    }

    @Test
    void ia3() {
        fails(LINEAR, keys("weight", randn(12), "on_input", Tensors.scalar(2)), "on_input", "0 or 1");
        fails(LINEAR, keys("weight", randn(12), "on_input", Tensors.scalar(1)), "weight", "[10]");
        fails(conv2d(8, 12, 3, 1, 1, 1), keys("weight", randn(12), "on_input", Tensors.scalar(0)), "weight", "[1, 12, 1, 1]");
    }

    @Test
    void glora() {
        fails(LINEAR, keys("a1.weight", randn(10, 4), "a2.weight", randn(4, 10), "b1.weight", randn(12, 4)), "b2.weight",
                "missing");
        fails(LINEAR, keys("a1.weight", randn(10, 4), "a2.weight", randn(4, 10), "b1.weight", randn(12, 3),
                "b2.weight", randn(4, 10)), "b1.weight", "[12, 4]");
    }

    @Test
    void fullAndNorm() {
        fails(LINEAR, keys("diff", randn(12, 11)), "diff", "[12, 10]");
        fails(LINEAR, keys("diff", randn(12, 10), "diff_b", randn(10)), "diff_b");
        fails(LINEAR, keys("w_norm", randn(12)), "LayerNorm");
        fails(new LayerSpec.GroupNorm(3, 12, 1e-5), keys("w_norm", randn(6), "b_norm", randn(12)), "w_norm");
        fails(new LayerSpec.LayerNorm(new long[] {12}, 1e-5), keys("w_norm", randn(12), "scale", randn(12)), "scale");
    }
}
