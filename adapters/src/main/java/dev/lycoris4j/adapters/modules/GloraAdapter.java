package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.functional.Glora;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GLoRA (spec §2.8): {@code W' = W + m·scale·scalar·(W ×_in (a1·a2) + b1·b2)}, scale = alpha/r.
 *
 * <p><b>Bypass</b>: the merged forward, computed on activations ({@code inner + m·scale·(op(a1(a2(x)), W)
 * + b1(b2(x)))}, the layer's bias not repeated). The reference's bypass applies the scale twice
 * ({@code m·scale²}, spec §8 #8) and so matches only when alpha = r; users' images come from its forward,
 * which is what this follows.
 */
public final class GloraAdapter extends AdapterBase {
    static final Set<String> KEYS = Set.of("a1.weight", "a2.weight", "b1.weight", "b2.weight", "alpha");

    private final Tensor a1;
    private final Tensor a2;
    private final Tensor b1;
    private final Tensor b2;
    private final Tensor alpha;
    private final double scale;
    private final Tensor scalar;

    private GloraAdapter(String name, LayerSpec layer, Dropouts dropouts, Tensor a1, Tensor a2, Tensor b1, Tensor b2,
                         Tensor alpha, double scale, Tensor scalar) {
        super(name, Algorithm.GLORA, layer, dropouts);
        this.a1 = keep(a1);
        this.a2 = keep(a2);
        this.b1 = keep(b1);
        this.b2 = keep(b2);
        this.alpha = keep(alpha);
        this.scale = scale;
        this.scalar = keep(scalar);
    }

    /**
     * A new adapter: a1, b1 kaiming-uniform(a=√5), a2, b2 zero (kaiming with {@code use_scalar}, whose scalar
     * starts at 0), so ΔW starts at 0. The saved alpha is raw, as the reference stores it: I64 r when alpha is
     * 0 (meaning r), else F32.
     */
    public static GloraAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        Algorithm a = Algorithm.GLORA;
        requireLinearOrConv(name, a, layer);
        long r = c.dim();
        if (r <= 0) throw inconsistent(name, a, "rank (dim) must be positive, got " + r);
        long[] w = layer.weightShape();
        long[] ones = ones(w.length - 2);
        Init zeroOrKaiming = c.useScalar() ? Init.KAIMING : Init.ZEROS;
        Tensor a1 = parameter(Init.KAIMING, concat(new long[] {w[1], r}, ones));
        Tensor a2 = parameter(zeroOrKaiming, concat(new long[] {r, w[1]}, ones));
        Tensor b1 = parameter(Init.KAIMING, concat(new long[] {w[0], r}, ones));
        Tensor b2 = parameter(zeroOrKaiming, concat(new long[] {r}, tail(w, 1)));
        Tensor scalar = c.useScalar() ? parameter(Init.ZEROS) : null;
        Tensor alpha = c.alpha() == 0 || Double.isNaN(c.alpha())
                ? Tensors.scalar(r).to(torch.ScalarType.Long) : Tensors.scalar(c.alpha()).to(torch.ScalarType.Float);
        return new GloraAdapter(name, layer, Dropouts.of(c), a1, a2, b1, b2, alpha, scale(c.alpha(), r, c.rsLora()), scalar);
    }

    /** Rebuilds from the four factors (rank from {@code a2.weight}) and {@code alpha} (absent or 0: r). */
    public static GloraAdapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm a = Algorithm.GLORA;
        requireLinearOrConv(name, a, layer);
        rejectUnknownKeys(name, a, t, KEYS);
        Tensor a1 = require(name, a, t, "a1.weight");
        Tensor a2 = require(name, a, t, "a2.weight");
        Tensor b1 = require(name, a, t, "b1.weight");
        Tensor b2 = require(name, a, t, "b2.weight");
        long[] w = layer.weightShape();
        long[] ones = ones(w.length - 2);
        long r = a2.size(0);
        requireShape(name, a, "a1.weight", a1, concat(new long[] {w[1], r}, ones), "(in, rank, 1…)");
        requireShape(name, a, "a2.weight", a2, concat(new long[] {r, w[1]}, ones), "(rank, in, 1…)");
        requireShape(name, a, "b1.weight", b1, concat(new long[] {w[0], r}, ones), "(out, rank, 1…)");
        requireShape(name, a, "b2.weight", b2, concat(new long[] {r}, tail(w, 1)), "(rank, in, *kernel)");
        Tensor alpha = optional(t, "alpha");
        double scale = alpha == null ? 1.0 : effectiveAlpha(readAlpha(name, a, alpha), r) / r;
        Tensor saved = alpha != null ? alpha : Tensors.scalar(r).to(torch.ScalarType.Long);
        return new GloraAdapter(name, layer, Dropouts.NONE, a1, a2, b1, b2, saved, scale, null);
    }

    public long rank() { return a2.size(0); }

    public double scale() { return scale; }

    /** ΔW at multiplier 1 (scale and scalar included). */
    public Tensor deltaWeight(Tensor weight) {
        Tensor d = Glora.deltaWeight(weight, a1, a2, b1, b2, scale);
        return scalar == null ? d : d.mul(scalar);
    }

    @Override
    public WeightPair mergedWeights(Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return new WeightPair(weight, bias);
        Tensor d = deltaWeight(weight).mul(new Scalar(multiplier));
        return new WeightPair(weight.add(d.to(weight.scalar_type())), bias);
    }

    @Override public boolean hasBypass() { return true; }

    /**
     * See the class comment: equals the merged forward, computed through the factors. While training, rank
     * dropout masks the rank channels of both paths independently, as the reference does, but keeping each
     * with probability 1 − p (the reference's GLoRA mask keeps with probability p, unlike every other module).
     */
    @Override
    public Tensor bypassForward(Tensor x, Tensor inner, Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return inner;
        Tensor xs = x.to(a1.scalar_type());
        Tensor d = Glora.bypassIncrement(layer(), xs, weight.to(a1.scalar_type()), a1, a2, b1, b2, multiplier * scale,
                rankKeepMask(rank(), a1.scalar_type()), rankKeepMask(rank(), a1.scalar_type()));
        if (scalar != null) d = d.mul(scalar);
        return inner.add(outputDropout(d).to(inner.scalar_type()));
    }

    /** The reference's order: alpha, a1, a2·scalar, b1, b2·scalar (the scalar folded in, spec §2.8). */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("alpha", alpha);
        sd.put("a1.weight", a1.detach());
        sd.put("a2.weight", folded(a2));
        sd.put("b1.weight", b1.detach());
        sd.put("b2.weight", folded(b2));
        return sd;
    }

    private Tensor folded(Tensor factor) {
        if (scalar == null) return factor.detach();
        try (NoGrad ignored = new NoGrad()) {
            return factor.mul(scalar).detach();
        }
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>(List.of(a1, a2, b1, b2));
        if (scalar != null) p.add(scalar);
        return p;
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> h = baseHyperParameters();
        h.put("rank", rank());
        h.put("alpha", readAlpha(name(), algorithm(), alpha));
        h.put("scale", scale);
        if (scalar != null) h.put("use_scalar", true);
        return h;
    }
}
