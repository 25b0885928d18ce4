package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.functional.Loha;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** LoHa: Hadamard product of two low-rank factors, optionally Tucker for k×k convs (spec §2.3). */
public final class LohaAdapter extends DeltaAdapter {
    static final Set<String> KEYS = Set.of("hada_w1_a", "hada_w1_b", "hada_w2_a", "hada_w2_b", "hada_t1", "hada_t2",
            "alpha", "dora_scale");

    private final Tensor w1a, w1b, w2a, w2b, t1, t2;

    private LohaAdapter(String name, LayerSpec layer, Dropouts dropouts, Tensor w1a, Tensor w1b, Tensor w2a,
                        Tensor w2b, Tensor t1, Tensor t2, Tensor alpha, double scale, Tensor scalar, Tensor dora) {
        super(name, Algorithm.LOHA, layer, dropouts, alpha, scale, scalar, dora);
        this.w1a = keep(w1a);
        this.w1b = keep(w1b);
        this.w2a = keep(w2a);
        this.w2b = keep(w2b);
        this.t1 = keep(t1);
        this.t2 = keep(t2);
    }

    /**
     * The reference's init: w1_b, w2_b ~ N(0, 1), w1_a ~ N(0, 0.1), w2_a = 0 (N(0, 0.1) with {@code use_scalar}),
     * Tucker cores ~ N(0, 0.1); ΔW therefore starts at exactly 0.
     */
    public static LohaAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        requireLinearOrConv(name, Algorithm.LOHA, layer);
        long r = c.dim();
        if (r <= 0) throw inconsistent(name, Algorithm.LOHA, "rank (dim) must be positive, got " + r);
        long[] w = layer.weightShape();
        boolean tucker = c.useTucker() && layer instanceof LayerSpec.Conv conv && !conv.isPointwise();
        Tensor t1 = tucker ? parameter(Init.normal(0.1), concat(new long[] {r, r}, tail(w, 2))) : null;
        Tensor t2 = tucker ? parameter(Init.normal(0.1), concat(new long[] {r, r}, tail(w, 2))) : null;
        long[] aShape = tucker ? new long[] {r, w[0]} : new long[] {w[0], r};
        long[] bShape = tucker ? new long[] {r, w[1]} : new long[] {r, Tensors.numel(tail(w, 1))};
        Tensor w1b = parameter(Init.normal(1.0), bShape);
        Tensor w1a = parameter(Init.normal(0.1), aShape);
        Tensor w2b = parameter(Init.normal(1.0), bShape);
        Tensor w2a = parameter(c.useScalar() ? Init.normal(0.1) : Init.ZEROS, aShape);
        Tensor scalar = c.useScalar() ? parameter(Init.ZEROS) : null;
        Tensor dora = c.weightDecompose()
                ? newDoraScale(name, Algorithm.LOHA, layer, baseWeight, c.wdOnOutput()) : null;
        return new LohaAdapter(name, layer, Dropouts.of(c), w1a, w1b, w2a, w2b, t1, t2,
                alphaBuffer(c.alpha(), r, c.rsLora()), scale(c.alpha(), r, c.rsLora()), scalar, dora);
    }

    /** Rebuilds from a file: rank from {@code hada_w1_b}, Tucker iff {@code hada_t1}/{@code hada_t2}. */
    public static LohaAdapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm a = Algorithm.LOHA;
        requireLinearOrConv(name, a, layer);
        rejectUnknownKeys(name, a, t, KEYS);
        Tensor w1a = require(name, a, t, "hada_w1_a"), w1b = require(name, a, t, "hada_w1_b");
        Tensor w2a = require(name, a, t, "hada_w2_a"), w2b = require(name, a, t, "hada_w2_b");
        Tensor t1 = optional(t, "hada_t1"), t2 = optional(t, "hada_t2");
        long[] w = layer.weightShape();
        long r = w1b.size(0);
        if ((t1 == null) != (t2 == null)) throw inconsistent(name, a, "hada_t1 and hada_t2 come together");
        if (t1 != null) {
            if (w.length == 2) throw inconsistent(name, a, "Tucker cores (hada_t1/t2) are only valid on a conv layer");
            for (int i = 1; i <= 2; i++) {
                requireShape(name, a, "hada_t" + i, i == 1 ? t1 : t2, concat(new long[] {r, r}, tail(w, 2)), "(rank, rank, *kernel)");
                requireShape(name, a, "hada_w" + i + "_a", i == 1 ? w1a : w2a, new long[] {r, w[0]}, "with Tucker (rank, out)");
                requireShape(name, a, "hada_w" + i + "_b", i == 1 ? w1b : w2b, new long[] {r, w[1]}, "with Tucker (rank, in)");
            }
        } else {
            long cols = Tensors.numel(tail(w, 1));
            for (int i = 1; i <= 2; i++) {
                requireShape(name, a, "hada_w" + i + "_a", i == 1 ? w1a : w2a, new long[] {w[0], r}, "(out, rank)");
                requireShape(name, a, "hada_w" + i + "_b", i == 1 ? w1b : w2b, new long[] {r, cols}, "(rank, in·kernel)");
            }
        }
        Tensor alpha = optional(t, "alpha");
        Tensor savedAlpha = alpha != null ? alpha : Tensors.scalar(r).to(torch.ScalarType.Float);
        return new LohaAdapter(name, layer, Dropouts.NONE, w1a, w1b, w2a, w2b, t1, t2, savedAlpha,
                loadedScale(name, a, alpha, r), null, optional(t, "dora_scale"));
    }

    public long rank() { return w1b.size(0); }

    public boolean tucker() { return t1 != null; }

    @Override protected Tensor delta(double scale) {
        return Loha.deltaWeight(w1a, w1b, w2a, w2b, t1, t2, scale, layer().weightShape());
    }

    /**
     * A Hadamard product of low-rank matrices has no cheap factor-wise application, so the bypass materialises
     * ΔW (as the reference does) and runs the layer's op with it; rank dropout drops rows of ΔW.
     */
    @Override protected Tensor bypassDelta(Tensor x, double scale) {
        return layer().apply(x, rowMasked(delta(scale)), null);
    }

    @Override protected List<Tensor> factors() {
        return t1 == null ? List.of(w1a, w1b, w2a, w2b) : List.of(w1a, w1b, w2a, w2b, t1, t2);
    }

    @Override protected torch.ScalarType dtype() { return w1b.scalar_type(); }

    /** The reference's order: alpha[, dora_scale], hada_w1_a (scalar folded in), w1_b, w2_a, w2_b[, t1, t2]. */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("alpha", alpha());
        if (hasDora()) sd.put("dora_scale", doraScale());
        sd.put("hada_w1_a", folded(w1a));
        sd.put("hada_w1_b", w1b.detach());
        sd.put("hada_w2_a", w2a.detach());
        sd.put("hada_w2_b", w2b.detach());
        if (t1 != null) {
            sd.put("hada_t1", t1.detach());
            sd.put("hada_t2", t2.detach());
        }
        return sd;
    }

    @Override protected void putHyperParameters(Map<String, Object> h) {
        h.put("rank", rank());
        h.put("tucker", tucker());
    }
}
