package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.functional.Krona;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** DiffuseKronA (evaluation-reference §4.1): index formula, activation path, sizes, layouts, init, key names. */
class KronaTest {
    private static final LayerSpec.Linear LAYER = new LayerSpec.Linear(12, 8); // d_in 12, d_out 8
    private static final int A1 = 2, A2 = 3;                                  // b1 = 4, b2 = 4

    private static Map<String, Tensor> randomTensors(long seed) {
        torch.manual_seed(seed);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("krona_a", torch.randn(A1, A2));
        t.put("krona_b", torch.randn(8 / A1, 12 / A2));
        return t;
    }

    /** ΔW[i·a1 + j, p·b2 + q] = B[i,q]·A[j,p], evaluated element by element. */
    @Test
    void deltaWeightIsTheShuffledKroneckerIndexFormula() {
        Map<String, Tensor> t = randomTensors(1);
        double[] a = Tensors.toDoubles(t.get("krona_a"));
        double[] b = Tensors.toDoubles(t.get("krona_b"));
        int b1 = 4, b2 = 4;
        double[] expected = new double[8 * 12];
        for (int i = 0; i < b1; i++)
            for (int j = 0; j < A1; j++)
                for (int p = 0; p < A2; p++)
                    for (int q = 0; q < b2; q++)
                        expected[(i * A1 + j) * 12 + p * b2 + q] = b[i * b2 + q] * a[j * A2 + p];
        KronaAdapter adapter = KronaAdapter.load("m", LAYER, t);
        assertThat(Tensors.toDoubles(adapter.deltaWeight())).containsExactly(expected, within(1e-6));
        // Not the plain Kronecker product A ⊗ B (the reference's README formula), which the IBM code does not compute.
        assertThat(Tensors.maxAbsDiff(adapter.deltaWeight(), torch.kron(t.get("krona_a"), t.get("krona_b"))))
                .isGreaterThan(1e-2);
    }

    /** The activation path (token as an a2×b2 matrix M, Z = B·Mᵀ·Aᵀ) equals the layer run with W + ΔW, 3-D input. */
    @Test
    void bypassOnActivationsEqualsTheMergedForward() {
        KronaAdapter adapter = KronaAdapter.load("m", LAYER, randomTensors(2));
        Tensor w = torch.randn(8, 12), bias = torch.randn(8);
        Tensor x = torch.randn(2, 5, 12);
        Tensor inner = LAYER.apply(x, w, bias);
        Tensor merged = adapter.forward(x, w, bias, 0.7);
        assertThat(Tensors.maxAbsDiff(adapter.bypassForward(x, inner, w, bias, 0.7), merged)).isLessThan(1e-5);
        assertThat(Tensors.maxAbsDiff(merged, inner)).isGreaterThan(1e-2);
        // The functional path alone, on one token, written out: y[i·a1 + j] = Σ_{p,q} B[i,q]·M[p,q]·A[j,p].
        Tensor token = x.select(0, 0).select(0, 0);
        double[] m = Tensors.toDoubles(token);
        double[] a = Tensors.toDoubles(adapter.stateDict().get("krona_a"));
        double[] b = Tensors.toDoubles(adapter.stateDict().get("krona_b"));
        double[] y = new double[8];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < A1; j++)
                for (int p = 0; p < A2; p++)
                    for (int q = 0; q < 4; q++) y[i * A1 + j] += b[i * 4 + q] * m[p * 4 + q] * a[j * A2 + p];
        assertThat(Tensors.toDoubles(Krona.bypass(token.unsqueeze(0), adapter.stateDict().get("krona_a"),
                adapter.stateDict().get("krona_b"), 1.0))).containsExactly(y, within(1e-5));
    }

    /** a1·a2 + (d_out/a1)(d_in/a2) per layer (§4.6); e.g. 2·3 + 4·4 = 22 here, and 4·64 + 80·20 for 320→1280 (a1 4, a2 64). */
    @Test
    void parameterCountPerLayer() {
        AdapterConfig c = AdapterConfig.builder(Algorithm.KRONA, 0, 0).a1(A1).a2(A2).build();
        assertThat(count(AdapterFormats.create("m", LAYER, c, null))).isEqualTo(2 * 3 + 4 * 4);
        AdapterConfig sd = AdapterConfig.builder(Algorithm.KRONA, 0, 0).a1(4).a2(64).build();
        assertThat(count(AdapterFormats.create("m", new LayerSpec.Linear(1280, 320), sd, null)))
                .isEqualTo(4 * 64 + (320 / 4) * (1280 / 64));
    }

    private static long count(Adapter a) {
        return a.parameters().stream().mapToLong(Tensor::numel).sum();
    }

    /** B = 0 makes ΔW = 0; A ~ N(0, 1/a1²): over 64·64 draws with a1 = 64 the sample std is 1/64 within 5 %. */
    @Test
    void initialisation() {
        torch.manual_seed(7);
        AdapterConfig c = AdapterConfig.builder(Algorithm.KRONA, 0, 0).a1(64).a2(64).build();
        KronaAdapter a = (KronaAdapter) AdapterFormats.create("m", new LayerSpec.Linear(1024, 640), c, null);
        assertThat(a.deltaWeight().abs().max().item_double()).isZero();
        Tensor A = a.stateDict().get("krona_a");
        assertThat(Tensors.shape(A)).containsExactly(64, 64);
        assertThat(A.std().item_double()).isCloseTo(1.0 / 64, within(0.05 / 64));
        assertThat(Math.abs(A.mean().item_double())).isLessThan(4.0 / 64 / 64);
        assertThat(a.parameters()).allMatch(Tensor::requires_grad);
    }

    /** Ours → IBM (down = Aᵀ (a2, a1), up = B) → ours, and ours → state dict → detection → same adapter. */
    @Test
    void roundTripsThroughBothLayouts() {
        Map<String, Tensor> t = randomTensors(3);
        Adapter a = AdapterFormats.load("m", LAYER, t);
        assertThat(a).isInstanceOf(KronaAdapter.class);
        Map<String, Tensor> ibm = KronaIbm.toIbm(a.stateDict());
        assertThat(Tensors.shape(ibm.get("down.weight"))).containsExactly(A2, A1);
        assertThat(Tensors.shape(ibm.get("up.weight"))).containsExactly(4, 4);
        assertThat(torch.equal(ibm.get("down.weight"), t.get("krona_a").t())).isTrue();
        Adapter back = AdapterFormats.load("m", LAYER, KronaIbm.fromIbm("m", ibm));
        Tensor w = torch.randn(8, 12);
        assertThat(torch.equal(back.mergedWeights(w, null, 1).weight(), a.mergedWeights(w, null, 1).weight())).isTrue();
        Adapter again = AdapterFormats.load("m", LAYER, a.stateDict());
        assertThat(again.stateDict().keySet()).containsExactly("krona_a", "krona_b");
        assertThat(torch.equal(again.stateDict().get("krona_b"), t.get("krona_b"))).isTrue();
    }

    @Test
    void ibmKeyNamesMapToModulePaths() {
        String q = "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn1.processor.to_q_lora.down.weight";
        KronaIbm.Key k = KronaIbm.parseKey(q);
        assertThat(k).isEqualTo(new KronaIbm.Key("unet", "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q",
                "down.weight"));
        assertThat(KronaIbm.key(k)).isEqualTo(q);
        String out = "unet.mid_block.attentions.0.transformer_blocks.3.attn2.processor.to_out_lora.up.weight";
        assertThat(KronaIbm.parseKey(out).modulePath())
                .isEqualTo("mid_block.attentions.0.transformer_blocks.3.attn2.to_out.0");
        assertThat(KronaIbm.key(KronaIbm.parseKey(out))).isEqualTo(out);
        String te = "text_encoder_2.text_model.encoder.layers.4.self_attn.q_proj.lora_linear_layer.up.weight";
        assertThat(KronaIbm.parseKey(te)).isEqualTo(new KronaIbm.Key("text_encoder_2",
                "text_model.encoder.layers.4.self_attn.q_proj", "up.weight"));
        assertThat(KronaIbm.key(KronaIbm.parseKey(te))).isEqualTo(te);
        assertThatThrownBy(() -> KronaIbm.parseKey("unet.x.processor.to_q_lora.mid.weight"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unet.x.processor.to_q_lora.mid.weight");
        assertThatThrownBy(() -> KronaIbm.key(new KronaIbm.Key("unet", "down_blocks.0.resnets.0.conv1", "up.weight")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conv1");
    }

    @Test
    void badFactorsAreRejectedNamingTheModule() {
        AdapterConfig c = AdapterConfig.builder(Algorithm.KRONA, 0, 0).a1(3).a2(3).build();
        assertThatThrownBy(() -> AdapterFormats.create("lora_unet_x", LAYER, c, null))
                .hasMessageContaining("lora_unet_x").hasMessageContaining("a1 = 3").hasMessageContaining("8");
        Map<String, Tensor> t = randomTensors(4);
        t.put("krona_b", torch.randn(3, 4));
        assertThatThrownBy(() -> AdapterFormats.load("lora_unet_x", LAYER, t))
                .hasMessageContaining("lora_unet_x").hasMessageContaining("krona_b");
        LayerSpec conv = LayerSpec.Conv.ofWeightShape(new long[] {8, 12, 1, 1});
        assertThatThrownBy(() -> AdapterFormats.load("lora_unet_x", conv, randomTensors(5)))
                .hasMessageContaining("Linear layers only");
    }
}
