package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.functional.Dora;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.lycoris4j.adapters.modules.Fixtures.config;
import static dev.lycoris4j.adapters.modules.Fixtures.conv2d;
import static dev.lycoris4j.adapters.modules.Fixtures.linear;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** New adapters: parameter shapes per the spec's tables, the reference's initialisation, ΔW = 0, saved alpha. */
class InitTest {
    private static final LayerSpec LIN = linear(64, 48);
    private static final LayerSpec CONV = conv2d(16, 24, 3, 1, 1, 1);

    @BeforeEach
    void seed() {
        torch.manual_seed(7);
    }

    private static Map<String, long[]> shapes(Adapter a) {
        Map<String, long[]> s = new LinkedHashMap<>();
        a.stateDict().forEach((k, v) -> s.put(k, Tensors.shape(v)));
        return s;
    }

    private static void assertZeroDelta(Adapter a) {
        Tensor w = torch.randn(a.layer().weightShape());
        assertThat(torch.equal(a.mergedWeights(w, null, 1.0).weight(), w)).as("W + ΔW == W exactly").isTrue();
        assertThat(torch.equal(((DeltaAdapter) a).deltaWeight(), torch.zeros(a.layer().weightShape()))).isTrue();
    }

    private static double alpha(Adapter a) {
        Tensor t = a.stateDict().get("alpha");
        assertThat(Tensors.shape(t)).as("alpha is 0-d").isEmpty();
        assertThat(Tensors.dtype(t)).isEqualTo(DType.F32);
        return t.item_double();
    }

    @Test
    void loraShapesInitAndAlpha() {
        Adapter lin = AdapterFormats.create("m", LIN, config(Algorithm.LORA, 4, 2).build(), null);
        assertThat(shapes(lin)).containsExactly(Map.entry("alpha", new long[] {}),
                Map.entry("lora_up.weight", new long[] {48, 4}), Map.entry("lora_down.weight", new long[] {4, 64}));
        assertThat(torch.equal(lin.stateDict().get("lora_up.weight"), torch.zeros(48, 4))).as("up = 0").isTrue();
        // kaiming_uniform(a=√5) is U(±1/√fan_in): within the bound, and not degenerate
        Tensor down = lin.stateDict().get("lora_down.weight");
        assertThat(down.abs().max().item_double()).isLessThanOrEqualTo(1 / Math.sqrt(64)).isGreaterThan(0.8 / Math.sqrt(64));
        assertZeroDelta(lin);
        assertThat(alpha(lin)).isEqualTo(2.0);
        assertThat(((DeltaAdapter) lin).scale()).isEqualTo(0.5);

        Adapter conv = AdapterFormats.create("m", CONV, config(Algorithm.LORA, 4, 2).build(), null);
        assertThat(shapes(conv)).containsEntry("lora_down.weight", new long[] {4, 16, 3, 3})
                .containsEntry("lora_up.weight", new long[] {24, 4, 1, 1}).doesNotContainKey("lora_mid.weight");
        Adapter tucker = AdapterFormats.create("m", CONV, config(Algorithm.LORA, 4, 2).useTucker(true).build(), null);
        assertThat(shapes(tucker)).containsExactly(Map.entry("alpha", new long[] {}),
                Map.entry("lora_up.weight", new long[] {24, 4, 1, 1}), Map.entry("lora_down.weight", new long[] {4, 16, 1, 1}),
                Map.entry("lora_mid.weight", new long[] {4, 4, 3, 3}));
        assertZeroDelta(tucker);
        // use_tucker on a 1×1 conv has nothing to factor (spec §2.1)
        Adapter pointwise = AdapterFormats.create("m", conv2d(16, 24, 1, 1, 0, 1),
                config(Algorithm.LORA, 4, 2).useTucker(true).build(), null);
        assertThat(shapes(pointwise)).doesNotContainKey("lora_mid.weight");
    }

    @Test
    void alphaRule() {
        // alpha 0 means r; rs-LoRA saves alpha·r/√r so that alpha_saved / r is the training scale
        Adapter zero = AdapterFormats.create("m", LIN, config(Algorithm.LORA, 4, 0).build(), null);
        assertThat(alpha(zero)).isEqualTo(4.0);
        assertThat(((DeltaAdapter) zero).scale()).isEqualTo(1.0);
        Adapter rs = AdapterFormats.create("m", LIN, config(Algorithm.LORA, 4, 2).rsLora(true).build(), null);
        assertThat(((DeltaAdapter) rs).scale()).isEqualTo(1.0);
        assertThat(alpha(rs)).isEqualTo(4.0);
        Adapter loha = AdapterFormats.create("m", LIN, config(Algorithm.LOHA, 16, 4).rsLora(true).build(), null);
        assertThat(((DeltaAdapter) loha).scale()).isEqualTo(1.0);
        assertThat(alpha(loha)).isEqualTo(16.0);
    }

    @Test
    void useScalarStartsAtZeroAndIsFoldedIntoTheSavedTensor() {
        Adapter a = AdapterFormats.create("m", LIN, config(Algorithm.LORA, 4, 2).useScalar(true).build(), null);
        assertThat(a.parameters()).hasSize(3);
        assertZeroDelta(a);
        // the up projection is kaiming-initialised, but the scalar (0) is folded into the saved lora_up
        assertThat(torch.equal(a.stateDict().get("lora_up.weight"), torch.zeros(48, 4))).isTrue();
        Tensor up = a.parameters().get(1);
        assertThat(up.abs().max().item_double()).isGreaterThan(0.0);
    }

    @Test
    void lohaShapesAndInit() {
        Adapter lin = AdapterFormats.create("m", LIN, config(Algorithm.LOHA, 8, 4).build(), null);
        assertThat(shapes(lin)).containsExactly(Map.entry("alpha", new long[] {}),
                Map.entry("hada_w1_a", new long[] {48, 8}), Map.entry("hada_w1_b", new long[] {8, 64}),
                Map.entry("hada_w2_a", new long[] {48, 8}), Map.entry("hada_w2_b", new long[] {8, 64}));
        Map<String, Tensor> sd = lin.stateDict();
        assertThat(torch.equal(sd.get("hada_w2_a"), torch.zeros(48, 8))).as("w2_a = 0").isTrue();
        assertThat(sd.get("hada_w1_b").std().item_double()).isCloseTo(1.0, within(0.15));
        assertThat(sd.get("hada_w2_b").std().item_double()).isCloseTo(1.0, within(0.15));
        assertThat(sd.get("hada_w1_a").std().item_double()).isCloseTo(0.1, within(0.02));
        assertZeroDelta(lin);
        assertThat(shapes(AdapterFormats.create("m", CONV, config(Algorithm.LOHA, 4, 4).build(), null)))
                .containsEntry("hada_w1_a", new long[] {24, 4}).containsEntry("hada_w1_b", new long[] {4, 144});
        Adapter tucker = AdapterFormats.create("m", CONV, config(Algorithm.LOHA, 4, 4).useTucker(true).build(), null);
        assertThat(shapes(tucker)).containsEntry("hada_t1", new long[] {4, 4, 3, 3}).containsEntry("hada_t2", new long[] {4, 4, 3, 3})
                .containsEntry("hada_w1_a", new long[] {4, 24}).containsEntry("hada_w2_b", new long[] {4, 16});
        assertZeroDelta(tucker);
    }

    @Test
    void lokrShapesPerTheSpecTable() {
        // Linear 64→48, factor 4: in (4, 16), out (4, 12); r 4 < max(12, 16)/2 → w2 decomposed
        Adapter a = AdapterFormats.create("m", LIN, config(Algorithm.LOKR, 4, 2).factor(4).build(), null);
        assertThat(shapes(a)).containsExactly(Map.entry("alpha", new long[] {}), Map.entry("lokr_w1", new long[] {4, 4}),
                Map.entry("lokr_w2_a", new long[] {12, 4}), Map.entry("lokr_w2_b", new long[] {4, 16}));
        assertThat(torch.equal(a.stateDict().get("lokr_w2_b"), torch.zeros(4, 16))).as("w2_b = 0").isTrue();
        assertZeroDelta(a);
        assertThat(alpha(a)).isEqualTo(2.0);
        // unbalanced swaps out's pair: w1 (12, 4), w2 (4, 16)
        assertThat(shapes(AdapterFormats.create("m", LIN, config(Algorithm.LOKR, 4, 2).factor(4)
                .unbalancedFactorization(true).build(), null)))
                .containsEntry("lokr_w1", new long[] {12, 4}).containsEntry("lokr_w2_a", new long[] {4, 4});
        // factor -1: in (8, 8), out (6, 8); decompose_both with r 2 < max(6, 8)/2 splits w1
        assertThat(shapes(AdapterFormats.create("m", LIN, config(Algorithm.LOKR, 2, 1).decomposeBoth(true).build(), null)))
                .containsEntry("lokr_w1_a", new long[] {6, 2}).containsEntry("lokr_w1_b", new long[] {2, 8})
                .containsEntry("lokr_w2_a", new long[] {8, 2}).containsEntry("lokr_w2_b", new long[] {2, 8});
        // r 4 ≥ max(8, 8)/2 → full w2; both factors full → scale 1 and the saved alpha is r
        Adapter full = AdapterFormats.create("m", LIN, config(Algorithm.LOKR, 4, 2).build(), null);
        assertThat(shapes(full)).containsEntry("lokr_w1", new long[] {6, 8}).containsEntry("lokr_w2", new long[] {8, 8});
        assertThat(alpha(full)).isEqualTo(4.0);
        assertThat(((DeltaAdapter) full).scale()).isEqualTo(1.0);
        assertThat(torch.equal(full.stateDict().get("lokr_w2"), torch.zeros(8, 8))).as("w2 = 0").isTrue();
        assertZeroDelta(full);
        // conv 16→24 k3, factor -1: in (4, 4), out (4, 6); r 2 → w2_b (r, d·k·k), or Tucker
        assertThat(shapes(AdapterFormats.create("m", CONV, config(Algorithm.LOKR, 2, 1).build(), null)))
                .containsEntry("lokr_w1", new long[] {4, 4}).containsEntry("lokr_w2_a", new long[] {6, 2})
                .containsEntry("lokr_w2_b", new long[] {2, 36});
        Adapter tucker = AdapterFormats.create("m", CONV, config(Algorithm.LOKR, 2, 1).useTucker(true).build(), null);
        assertThat(shapes(tucker)).containsEntry("lokr_t2", new long[] {2, 2, 3, 3})
                .containsEntry("lokr_w2_a", new long[] {2, 6}).containsEntry("lokr_w2_b", new long[] {2, 4});
        assertZeroDelta(tucker);
        assertThat(shapes(AdapterFormats.create("m", CONV, config(Algorithm.LOKR, 4, 2).factor(4).build(), null)))
                .containsEntry("lokr_w2", new long[] {6, 4, 3, 3});
    }

    @Test
    void doraScaleIsTheOriginalWeightsNorm() {
        Tensor w = torch.randn(48, 64);
        Adapter out = AdapterFormats.create("m", LIN, config(Algorithm.LORA, 4, 2).weightDecompose(true).build(), w);
        Tensor rowNorms = w.pow(new Scalar(2)).sum(new long[] {1}, true, new ScalarTypeOptional()).sqrt();
        assertThat(Tensors.maxAbsDiff(out.stateDict().get("dora_scale"), rowNorms)).isLessThan(1e-5);
        assertThat(out.stateDict().keySet().iterator().next()).as("LoCon saves dora_scale first").isEqualTo("dora_scale");
        Adapter in = AdapterFormats.create("m", LIN, config(Algorithm.LOKR, 4, 2).weightDecompose(true).wdOnOutput(false).build(), w);
        Tensor colNorms = w.pow(new Scalar(2)).sum(new long[] {0}, true, new ScalarTypeOptional()).sqrt();
        assertThat(Tensors.maxAbsDiff(in.stateDict().get("dora_scale"), colNorms)).isLessThan(1e-5);
        // with ΔW = 0 the merged weight is W·‖W‖/(‖W‖ + eps) ≈ W
        assertThat(Tensors.maxAbsDiff(in.mergedWeights(w, null, 1.0).weight(), w)).isLessThan(1e-5);
        assertThat(Dora.magnitudeShape(new long[] {24, 16, 3, 3}, false)).containsExactly(1, 16, 1, 1);
    }
}
