package dev.lycoris4j.adapters.io;

import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The layer read back from key shapes, on layouts worked by hand from spec §2/§3. */
class LayerShapesTest {

    private static AdapterModule module(Algorithm algorithm, Object... keysAndShapes) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int i = 0; i < keysAndShapes.length; i += 2) {
            t.put((String) keysAndShapes[i], torch.zeros((long[]) keysAndShapes[i + 1]));
        }
        return new AdapterModule("lora_unet_x", ModulePrefix.UNET, AdapterFormats.of(algorithm), t);
    }

    private static long[] s(long... shape) {
        return shape;
    }

    @Test
    void loraLinearAndTuckerConv() {
        assertThat(LayerShapes.infer(module(Algorithm.LORA, "lora_down.weight", s(4, 12), "lora_up.weight", s(24, 4),
                "alpha", s())).weightShape()).containsExactly(24, 12);
        // Tucker conv: down (r, in, 1, 1), mid (r, r, 3, 3), up (out, r, 1, 1) → W (out, in, 3, 3).
        LayerSpec conv = LayerShapes.infer(module(Algorithm.LORA, "lora_down.weight", s(4, 3, 1, 1),
                "lora_mid.weight", s(4, 4, 3, 3), "lora_up.weight", s(8, 4, 1, 1)));
        assertThat(conv).isInstanceOf(LayerSpec.Conv.class);
        assertThat(conv.weightShape()).containsExactly(8, 3, 3, 3);
    }

    @Test
    void lohaTuckerConvReadsItsTransposedFactors() {
        // hada_t1 (r, r, k, k), hada_w1_a (r, out), hada_w1_b (r, in).
        LayerSpec conv = LayerShapes.infer(module(Algorithm.LOHA, "hada_t1", s(2, 2, 3, 3), "hada_w1_a", s(2, 8),
                "hada_w1_b", s(2, 5), "hada_t2", s(2, 2, 3, 3), "hada_w2_a", s(2, 8), "hada_w2_b", s(2, 5)));
        assertThat(conv.weightShape()).containsExactly(8, 5, 3, 3);
    }

    @Test
    void lokrMultipliesTheKroneckerFactors() {
        // w1 (2, 3) ⊗ w2 (5, 7, 3, 3) → (10, 21, 3, 3).
        assertThat(LayerShapes.infer(module(Algorithm.LOKR, "lokr_w1", s(2, 3), "lokr_w2", s(5, 7, 3, 3)))
                .weightShape()).containsExactly(10, 21, 3, 3);
        // Tucker w2: t2 (r, r, k, k), w2_a (r, out_k), w2_b (r, in_n); w1 decomposed as (out_l, r)·(r, in_m).
        assertThat(LayerShapes.infer(module(Algorithm.LOKR, "lokr_w1_a", s(2, 1), "lokr_w1_b", s(1, 3),
                "lokr_t2", s(4, 4, 3, 3), "lokr_w2_a", s(4, 5), "lokr_w2_b", s(4, 7))).weightShape())
                .containsExactly(10, 21, 3, 3);
        // Linear with decomposed w2: w2_a (out_k, r), w2_b (r, in_n).
        assertThat(LayerShapes.infer(module(Algorithm.LOKR, "lokr_w1", s(4, 3), "lokr_w2_a", s(6, 2),
                "lokr_w2_b", s(2, 4))).weightShape()).containsExactly(24, 12);
    }

    @Test
    void layoutsThatStoreOnlyPartOfTheLayer() {
        // GLoRA conv: a1 (in, r, 1, 1), b1 (out, r, 1, 1), b2 (r, in, k, k).
        assertThat(LayerShapes.infer(module(Algorithm.GLORA, "a1.weight", s(5, 2, 1, 1), "a2.weight", s(2, 5, 1, 1),
                "b1.weight", s(8, 2, 1, 1), "b2.weight", s(2, 5, 3, 3))).weightShape()).containsExactly(8, 5, 3, 3);
        // DiffuseKronA: krona_a (a1, a2), krona_b (out/a1, in/a2).
        assertThat(LayerShapes.infer(module(Algorithm.KRONA, "krona_a", s(2, 3), "krona_b", s(4, 5))).weightShape())
                .containsExactly(8, 15);
        // Diag-OFT stores (blocks, size, size) over the output rows only; the input side is taken equal.
        assertThat(LayerShapes.infer(module(Algorithm.DIAG_OFT, "oft_blocks", s(4, 2, 2), "alpha", s())).weightShape())
                .containsExactly(8, 8);
        // BOFT (stages, blocks, size, size) with a conv's rescale (out, 1, 1, 1).
        assertThat(LayerShapes.infer(module(Algorithm.BOFT, "oft_blocks", s(3, 4, 2, 2), "rescale", s(8, 1, 1, 1),
                "alpha", s())).weightShape()).containsExactly(8, 8, 1, 1);
        // (IA)³ on a conv's output: weight (1, out, 1, 1).
        assertThat(LayerShapes.infer(module(Algorithm.IA3, "weight", s(1, 8, 1, 1), "on_input", s())).weightShape())
                .containsExactly(8, 8, 1, 1);
        assertThat(LayerShapes.infer(module(Algorithm.FULL, "diff", s(8, 5, 3, 3), "diff_b", s(8))).weightShape())
                .containsExactly(8, 5, 3, 3);
        assertThat(LayerShapes.infer(module(Algorithm.NORM, "w_norm", s(8), "b_norm", s(8))))
                .isInstanceOf(LayerSpec.LayerNorm.class);
    }

    @Test
    void missingKeyIsNamed() {
        assertThatThrownBy(() -> LayerShapes.infer(module(Algorithm.LOKR, "lokr_w1", s(2, 3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lora_unet_x").hasMessageContaining("lokr_w2");
    }

    @Test
    void storedWeightShapesMapToTheirLayers() {
        assertThat(LayerShapes.ofWeightShape(s(16))).isInstanceOf(LayerSpec.LayerNorm.class);
        assertThat(LayerShapes.ofWeightShape(s(16, 8))).isEqualTo(new LayerSpec.Linear(8, 16));
        assertThat(LayerShapes.ofWeightShape(s(16, 8, 3, 3)).weightShape()).containsExactly(16, 8, 3, 3);
    }
}
