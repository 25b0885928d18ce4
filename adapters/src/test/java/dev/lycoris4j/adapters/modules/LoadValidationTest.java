package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.lycoris4j.adapters.modules.Fixtures.conv2d;
import static dev.lycoris4j.adapters.modules.Fixtures.linear;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Malformed files fail with an exception naming the module and the problem, never with a native crash. */
class LoadValidationTest {
    private static final LayerSpec LIN = linear(64, 48);
    private static final LayerSpec CONV = conv2d(16, 24, 3, 1, 1, 1);

    private static Map<String, Tensor> keys(Object... kv) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Tensor) kv[i + 1]);
        return m;
    }

    private static Tensor t(long... shape) {
        return torch.randn(shape);
    }

    private static void fails(LayerSpec layer, Map<String, Tensor> tensors, String... fragments) {
        assertThatThrownBy(() -> AdapterFormats.load("lora_unet_bad", layer, tensors))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lora_unet_bad")
                .hasMessageContainingAll(fragments);
    }

    @Test
    void loraShapeMismatches() {
        fails(LIN, keys("lora_up.weight", t(48, 5), "lora_down.weight", t(4, 64)), "lora_up.weight", "[48, 5]");
        fails(LIN, keys("lora_up.weight", t(48, 4), "lora_down.weight", t(4, 63)), "lora_down.weight", "[4, 63]");
        fails(LIN, keys("lora_up.weight", t(48, 4)), "missing 'lora_down.weight'");
        fails(LIN, keys("lora_up.weight", t(48, 4), "lora_down.weight", t(4, 64), "lora_mid.weight", t(4, 4, 3, 3)),
                "only valid on a conv");
        fails(CONV, keys("lora_up.weight", t(24, 4, 1, 1), "lora_down.weight", t(4, 16, 1, 1)), "lora_down.weight");
        fails(CONV, keys("lora_up.weight", t(24, 4, 1, 1), "lora_down.weight", t(4, 16, 1, 1), "lora_mid.weight",
                t(4, 4, 1, 1)), "lora_mid.weight");
        fails(LIN, keys("lora_up.weight", t(48, 4), "lora_down.weight", t(4, 64), "lora_extra", t(1)), "unexpected key 'lora_extra'");
        fails(new LayerSpec.LayerNorm(new long[] {48}, 1e-5), keys("lora_up.weight", t(48, 4), "lora_down.weight", t(4, 64)),
                "supports Linear");
    }

    @Test
    void alphaAndDoraScale() {
        fails(LIN, keys("lora_up.weight", t(48, 4), "lora_down.weight", t(4, 64), "alpha", t(2)), "alpha must be a scalar");
        fails(LIN, keys("lora_up.weight", t(48, 4), "lora_down.weight", t(4, 64), "dora_scale", t(48, 64)),
                "dora_scale has shape [48, 64]", "[48, 1]", "[1, 64]");
        // alpha in any dtype, 0-d or shape [1] (the extractor writes [1] in F16)
        for (Tensor alpha : new Tensor[] {Tensors.scalar(2).to(DType.F16.scalarType()),
                torch.ones(1).mul(new org.bytedeco.pytorch.Scalar(2)).to(DType.BF16.scalarType()),
                Tensors.fromLongs(new long[] {2}), Tensors.scalar(2).to(DType.F64.scalarType())}) {
            Adapter a = AdapterFormats.load("m", LIN, keys("lora_up.weight", t(48, 4), "lora_down.weight", t(4, 64), "alpha", alpha));
            assertThat(((DeltaAdapter) a).scale()).isEqualTo(0.5);
            assertThat(Tensors.dtype(a.stateDict().get("alpha"))).as("kept as read").isEqualTo(Tensors.dtype(alpha));
        }
        // no alpha at all: scale 1, and the saved alpha says r
        Adapter none = AdapterFormats.load("m", LIN, keys("lora_up.weight", t(48, 4), "lora_down.weight", t(4, 64)));
        assertThat(((DeltaAdapter) none).scale()).isEqualTo(1.0);
        assertThat(none.stateDict().get("alpha").item_double()).isEqualTo(4.0);
    }

    @Test
    void dyLoraStyleTwoDimensionalUpOnAConvLoads() {
        Map<String, Tensor> k = keys("alpha", Tensors.scalar(4), "lora_up.weight", t(24, 4), "lora_down.weight", t(4, 16, 3, 3));
        Adapter a = AdapterFormats.load("m", CONV, k);
        Tensor expected = k.get("lora_up.weight").matmul(k.get("lora_down.weight").reshape(4, -1)).reshape(24, 16, 3, 3);
        assertThat(Tensors.maxAbsDiff(((DeltaAdapter) a).deltaWeight(), expected)).isLessThan(1e-5);
    }

    @Test
    void lohaMismatches() {
        fails(LIN, keys("hada_w1_a", t(48, 4), "hada_w1_b", t(4, 64), "hada_w2_a", t(48, 3), "hada_w2_b", t(3, 64)),
                "hada_w2_a", "[48, 3]");
        fails(CONV, keys("hada_w1_a", t(4, 24), "hada_w1_b", t(4, 16), "hada_w2_a", t(4, 24), "hada_w2_b", t(4, 16),
                "hada_t1", t(4, 4, 3, 3)), "hada_t1 and hada_t2");
        fails(CONV, keys("hada_w1_a", t(24, 4), "hada_w1_b", t(4, 16), "hada_w2_a", t(24, 4), "hada_w2_b", t(4, 16)),
                "hada_w1_b", "(rank, in·kernel)");
    }

    @Test
    void lokrMismatches() {
        fails(LIN, keys("lokr_w1", t(4, 4), "lokr_w2", t(12, 15)), "factors give", "(4·12, 4·15)");
        fails(LIN, keys("lokr_w1", t(4, 4), "lokr_w1_a", t(4, 2), "lokr_w1_b", t(2, 4), "lokr_w2", t(12, 16)),
                "either lokr_w1 or both");
        fails(LIN, keys("lokr_w1", t(4, 4), "lokr_w2_a", t(12, 2)), "lokr_w2");
        fails(CONV, keys("lokr_w1", t(4, 4), "lokr_w2_a", t(6, 2), "lokr_w2_b", t(2, 35)), "not a multiple of the kernel area 9");
        fails(LIN, keys("lokr_w1", t(4, 4), "lokr_w2_a", t(2, 12), "lokr_w2_b", t(2, 16), "lokr_t2", t(2, 2, 3, 3)),
                "only valid on a conv");
        fails(CONV, keys("lokr_w1", t(4, 4), "lokr_w2", t(6, 4)), "lokr_w2", "(b, d, *kernel)");
    }

    @Test
    void unrecognisedKeys() {
        assertThatThrownBy(() -> AdapterFormats.load("lora_te_x", LIN, keys("weird", t(3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lora_te_x").hasMessageContaining("weird");
    }
}
