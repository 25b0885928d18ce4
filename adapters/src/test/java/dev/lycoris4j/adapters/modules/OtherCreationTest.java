package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.lycoris4j.adapters.modules.Fixtures.config;
import static dev.lycoris4j.adapters.modules.Fixtures.conv2d;
import static dev.lycoris4j.adapters.modules.Fixtures.linear;
import static dev.lycoris4j.adapters.modules.Fixtures.randn;
import static dev.lycoris4j.adapters.modules.Fixtures.randomized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** New adapters of OFT, BOFT, IA3, GLoRA, DyLoRA, Full and Norm: no-op at the start, saved keys, dtypes and shapes. */
class OtherCreationTest {
    private static final LayerSpec LINEAR = linear(10, 12);
    private static final LayerSpec CONV = conv2d(8, 12, 3, 1, 1, 1);

    private static Adapter create(LayerSpec layer, AdapterConfig c) {
        return AdapterFormats.create("lora_unet_m", layer, c, randn(layer.weightShape()));
    }

    /** Every algorithm starts as the identity: merged weight and bias equal the layer's. */
    @Test
    void newAdaptersChangeNothing() {
        AdapterConfig[] configs = {
                config(Algorithm.DIAG_OFT, 4, 0).rescaled(true).build(),
                config(Algorithm.BOFT, 6, 0).rescaled(true).build(),
                config(Algorithm.IA3, 0, 0).build(),
                config(Algorithm.IA3, 0, 0).trainOnInput(true).build(),
                config(Algorithm.GLORA, 4, 2).build(),
                config(Algorithm.GLORA, 4, 2).useScalar(true).build(),
                config(Algorithm.DYLORA, 4, 2).blockSize(2).build(),
                config(Algorithm.FULL, 0, 0).build()};
        for (LayerSpec layer : new LayerSpec[] {LINEAR, CONV}) {
            for (AdapterConfig c : configs) {
                Tensor w = randn(layer.weightShape()), b = randn(12);
                Adapter a = AdapterFormats.create("m", layer, c, w);
                var merged = a.mergedWeights(w, b, 1.0);
                assertThat(Tensors.maxAbsDiff(merged.weight(), w)).as("%s on %s", c.algorithm(), layer).isLessThan(1e-6);
                assertThat(Tensors.maxAbsDiff(merged.bias(), b)).as("%s on %s bias", c.algorithm(), layer).isZero();
                assertThat(a.parameters()).as("%s trainable", c.algorithm()).allMatch(Tensor::requires_grad);
            }
        }
        LayerSpec ln = new LayerSpec.LayerNorm(new long[] {12}, 1e-5);
        Adapter n = AdapterFormats.create("m", ln, config(Algorithm.NORM, 0, 0).build(), null);
        Tensor w = randn(12);
        assertThat(Tensors.maxAbsDiff(n.mergedWeights(w, w, 1.0).weight(), w)).isZero();
    }

    /** Diag-OFT: blocks (n, b, b); alpha = the raw constraint, I64 when integral (default 0), F32 otherwise. */
    @Test
    void oftSavesTheConstraintRaw() {
        Map<String, Tensor> sd = create(LINEAR, config(Algorithm.DIAG_OFT, 4, 0).build()).stateDict();
        assertThat(sd.keySet()).containsExactly("oft_blocks", "alpha");
        // factorization(12, 4) = (3, 4): the smaller factor, 3, is the block size (spec §2.5).
        assertThat(Tensors.shape(sd.get("oft_blocks"))).containsExactly(4, 3, 3);
        assertThat(Tensors.dtype(sd.get("alpha")).safetensorsName()).isEqualTo("I64");
        assertThat(sd.get("alpha").dim()).isZero();
        Map<String, Tensor> constrained = create(CONV, config(Algorithm.DIAG_OFT, 4, 0).constraint(0.01).rescaled(true)
                .build()).stateDict();
        assertThat(constrained.keySet()).containsExactly("oft_blocks", "rescale", "alpha");
        assertThat(Tensors.dtype(constrained.get("alpha")).safetensorsName()).isEqualTo("F32");
        assertThat(constrained.get("alpha").item_double()).isCloseTo(0.01, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(Tensors.shape(constrained.get("rescale"))).containsExactly(12, 1, 1, 1);
    }

    /** BOFT: (stages, n, b, b) from power2factorization; impossible sizes fail naming the module. */
    @Test
    void boftGeometryAndImpossibleSizes() {
        Map<String, Tensor> sd = create(linear(10, 48), config(Algorithm.BOFT, 6, 0).build()).stateDict();
        assertThat(Tensors.shape(sd.get("oft_blocks"))).containsExactly(4, 8, 6, 6);
        assertThatThrownBy(() -> create(linear(10, 48), config(Algorithm.BOFT, 4, 0).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lora_unet_m").hasMessageContaining("48");
    }

    @Test
    void ia3SavesWeightAndOnInput() {
        Map<String, Tensor> lin = create(LINEAR, config(Algorithm.IA3, 0, 0).trainOnInput(true).build()).stateDict();
        assertThat(lin.keySet()).containsExactly("weight", "on_input");
        assertThat(Tensors.shape(lin.get("weight"))).containsExactly(10);
        assertThat(Tensors.dtype(lin.get("on_input")).safetensorsName()).isEqualTo("I64");
        assertThat(lin.get("on_input").dim()).isZero();
        assertThat(lin.get("on_input").item_double()).isEqualTo(1.0);
        Map<String, Tensor> conv = create(CONV, config(Algorithm.IA3, 0, 0).build()).stateDict();
        assertThat(Tensors.shape(conv.get("weight"))).containsExactly(1, 12, 1, 1);
        assertThat(conv.get("on_input").item_double()).isEqualTo(0.0);
    }

    /** GLoRA: alpha first, raw (F32; I64 r when 0); conv shapes as the reference's sub-layers. */
    @Test
    void gloraKeysShapesAndAlpha() {
        Map<String, Tensor> sd = create(CONV, config(Algorithm.GLORA, 4, 2).build()).stateDict();
        assertThat(sd.keySet()).containsExactly("alpha", "a1.weight", "a2.weight", "b1.weight", "b2.weight");
        assertThat(Tensors.shape(sd.get("a1.weight"))).containsExactly(8, 4, 1, 1);
        assertThat(Tensors.shape(sd.get("a2.weight"))).containsExactly(4, 8, 1, 1);
        assertThat(Tensors.shape(sd.get("b1.weight"))).containsExactly(12, 4, 1, 1);
        assertThat(Tensors.shape(sd.get("b2.weight"))).containsExactly(4, 8, 3, 3);
        assertThat(Tensors.dtype(sd.get("alpha")).safetensorsName()).isEqualTo("F32");
        Tensor alpha0 = create(LINEAR, config(Algorithm.GLORA, 4, 0).build()).stateDict().get("alpha");
        assertThat(Tensors.dtype(alpha0).safetensorsName()).isEqualTo("I64");
        assertThat(alpha0.item_double()).isEqualTo(4.0);
    }

    /** DyLoRA saves LoRA keys with a 2-D up even on a conv, and a rank that is not a multiple of block_size fails. */
    @Test
    void dyloraSavesLoraKeys() {
        Map<String, Tensor> sd = create(CONV, config(Algorithm.DYLORA, 4, 2).blockSize(2).build()).stateDict();
        assertThat(sd.keySet()).containsExactly("alpha", "lora_up.weight", "lora_down.weight");
        assertThat(Tensors.shape(sd.get("lora_up.weight"))).containsExactly(12, 4);
        assertThat(Tensors.shape(sd.get("lora_down.weight"))).containsExactly(4, 8, 3, 3);
        assertThatThrownBy(() -> create(CONV, config(Algorithm.DYLORA, 6, 2).blockSize(4).build()))
                .hasMessageContaining("lora_unet_m").hasMessageContaining("block_size 4");
    }

    /** Full: diff always; diff_b only once it is non-zero (a bias-less layer never gets one the reference cannot load). */
    @Test
    void fullLeavesOutAnUntrainedBiasDiff() {
        Adapter a = create(LINEAR, config(Algorithm.FULL, 0, 0).build());
        assertThat(a.stateDict().keySet()).containsExactly("diff");
        Tensor w = randn(12, 10);
        assertThat(a.mergedWeights(w, null, 1.0).bias()).isNull();
        Adapter trained = randomized("m", LINEAR, config(Algorithm.FULL, 0, 0).build(), w);
        assertThat(trained.stateDict().keySet()).containsExactly("diff", "diff_b");
    }

    /** Created → state dict → detected and loaded → the same state dict and merged weights, for every family. */
    @Test
    void createdAdaptersRoundTripThroughTheirFormat() {
        torch.manual_seed(21);
        AdapterConfig[] configs = {
                config(Algorithm.DIAG_OFT, 4, 0).rescaled(true).constraint(0.5).build(),
                config(Algorithm.BOFT, 6, 0).build(),
                config(Algorithm.IA3, 0, 0).trainOnInput(true).build(),
                config(Algorithm.GLORA, 4, 2).useScalar(true).build(),
                config(Algorithm.FULL, 0, 0).build()};
        for (LayerSpec layer : new LayerSpec[] {LINEAR, CONV}) {
            for (AdapterConfig c : configs) {
                Tensor w = randn(layer.weightShape()), b = randn(12);
                Adapter a = randomized("m", layer, c, w);
                Adapter back = AdapterFormats.load("m", layer, a.stateDict());
                assertThat(back.algorithm()).isEqualTo(c.algorithm());
                assertThat(back.stateDict().keySet()).containsExactlyElementsOf(a.stateDict().keySet());
                for (var e : a.stateDict().entrySet()) {
                    assertThat(torch.equal(back.stateDict().get(e.getKey()), e.getValue())).as("%s %s", c.algorithm(), e.getKey())
                            .isTrue();
                }
                assertThat(Tensors.maxAbsDiff(back.mergedWeights(w, b, 0.8).weight(), a.mergedWeights(w, b, 0.8).weight()))
                        .as("%s on %s", c.algorithm(), layer).isLessThan(1e-6);
            }
        }
    }
}
