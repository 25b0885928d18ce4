package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.functional.Krona;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DiffuseKronA (evaluation-reference §4.1) on a Linear layer: {@code W' = W + m·ΔW} with ΔW the IBM code's
 * shuffled Kronecker product of {@code A (a1, a2)} and {@code B (d_out/a1, d_in/a2)}; a1 divides the
 * output and a2 the input dimension. No alpha: the IBM code never scales (its multiplier is the attention
 * {@code scale}, our m).
 *
 * <p>Our LyCORIS-style keys: {@code krona_a} = A (a1, a2) and {@code krona_b} = B (b1, b2). The IBM
 * layout ({@code down.weight} = Aᵀ (a2, a1), {@code up.weight} = B) is converted by {@link KronaIbm}.
 *
 * <p><b>Bypass</b>: the merged forward, computed as the IBM layer does, on each token reshaped to a
 * matrix ({@link Krona#bypass}).
 */
public final class KronaAdapter extends AdapterBase {
    public static final String KEY_A = "krona_a";
    public static final String KEY_B = "krona_b";
    static final Set<String> KEYS = Set.of(KEY_A, KEY_B);

    private final Tensor a;
    private final Tensor b;

    private KronaAdapter(String name, LayerSpec layer, Dropouts dropouts, Tensor a, Tensor b) {
        super(name, Algorithm.KRONA, layer, dropouts);
        this.a = keep(a);
        this.b = keep(b);
    }

    /** A new adapter as the IBM code initialises it: A ~ N(0, (1/a1)²), B = 0, so ΔW starts at 0. */
    public static KronaAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        long[] w = linearShape(name, layer);
        long a1 = c.a1(), a2 = c.a2();
        if (a1 <= 0 || a2 <= 0 || w[0] % a1 != 0 || w[1] % a2 != 0) {
            throw inconsistent(name, Algorithm.KRONA, "a1 = " + a1 + " must divide the output dimension " + w[0]
                    + " and a2 = " + a2 + " the input dimension " + w[1]);
        }
        return new KronaAdapter(name, layer, Dropouts.of(c), parameter(Init.normal(1.0 / a1), a1, a2),
                parameter(Init.ZEROS, w[0] / a1, w[1] / a2));
    }

    /** Rebuilds from {@code krona_a} (a1, a2) and {@code krona_b} (d_out/a1, d_in/a2). */
    public static KronaAdapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm alg = Algorithm.KRONA;
        long[] w = linearShape(name, layer);
        rejectUnknownKeys(name, alg, t, KEYS);
        Tensor a = require(name, alg, t, KEY_A);
        Tensor b = require(name, alg, t, KEY_B);
        if (a.dim() != 2 || b.dim() != 2 || a.size(0) * b.size(0) != w[0] || a.size(1) * b.size(1) != w[1]) {
            throw inconsistent(name, alg, KEY_A + " " + Tensors.shapeString(a) + " and " + KEY_B + " "
                    + Tensors.shapeString(b) + " must be (a1, a2) and (out/a1, in/a2) for the layer's weight "
                    + Tensors.shapeString(w));
        }
        return new KronaAdapter(name, layer, Dropouts.NONE, a, b);
    }

    private static long[] linearShape(String name, LayerSpec layer) {
        if (!(layer instanceof LayerSpec.Linear)) {
            throw inconsistent(name, Algorithm.KRONA, "DiffuseKronA adapts Linear layers only, not " + layer);
        }
        return layer.weightShape();
    }

    public long a1() { return a.size(0); }

    public long a2() { return a.size(1); }

    /** ΔW at multiplier 1. */
    public Tensor deltaWeight() {
        return Krona.deltaWeight(a, b, 1.0);
    }

    @Override
    public WeightPair mergedWeights(Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return new WeightPair(weight, bias);
        return new WeightPair(weight.add(Krona.deltaWeight(a, b, multiplier).to(weight.scalar_type())), bias);
    }

    @Override public boolean hasBypass() { return true; }

    @Override
    public Tensor bypassForward(Tensor x, Tensor inner, Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return inner;
        Tensor d = Krona.bypass(x.to(b.scalar_type()), a, b, multiplier);
        return inner.add(outputDropout(d).to(inner.scalar_type()));
    }

    /** {@code krona_a}, {@code krona_b}. */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put(KEY_A, a.detach());
        sd.put(KEY_B, b.detach());
        return sd;
    }

    @Override public List<Tensor> parameters() { return List.of(a, b); }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> h = baseHyperParameters();
        h.put("a1", a1());
        h.put("a2", a2());
        return h;
    }
}
