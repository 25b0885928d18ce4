package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.functional.Full;
import dev.lycoris4j.adapters.functional.NormDelta;
import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Norm (spec §2.11, {@code train_norm}): additive deltas {@code w_norm}, {@code b_norm} on a LayerNorm's
 * or GroupNorm's affine weight and bias; merged {@code w + m·w_norm}, {@code b + m·b_norm}. A layer
 * without affine parameters counts as weight 1 and bias 0.
 *
 * <p><b>Bypass</b>: the merged forward, since a norm is affine in its parameters:
 * {@code inner + n(x)·(m·w_norm) + m·b_norm}, which is also how the reference's forward computes it.
 */
public final class NormAdapter extends AdapterBase {
    static final Set<String> KEYS = Set.of("w_norm", "b_norm");

    private final Tensor wNorm;
    private final Tensor bNorm;

    private NormAdapter(String name, LayerSpec layer, Dropouts dropouts, Tensor wNorm, Tensor bNorm) {
        super(name, Algorithm.NORM, layer, dropouts);
        this.wNorm = keep(wNorm);
        this.bNorm = keep(bNorm);
    }

    /** A new adapter: zero deltas of the layer's affine shape. */
    public static NormAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        requireNorm(name, layer);
        long[] shape = layer.weightShape();
        return new NormAdapter(name, layer, Dropouts.of(c), parameter(Init.ZEROS, shape), parameter(Init.ZEROS, shape));
    }

    /** Rebuilds from {@code w_norm} and the optional {@code b_norm}, both of the layer's affine shape. */
    public static NormAdapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm a = Algorithm.NORM;
        requireNorm(name, layer);
        rejectUnknownKeys(name, a, t, KEYS);
        long[] shape = layer.weightShape();
        Tensor w = require(name, a, t, "w_norm");
        requireShape(name, a, "w_norm", w, shape, "the norm's affine shape");
        Tensor b = optional(t, "b_norm");
        if (b != null) requireShape(name, a, "b_norm", b, shape, "the norm's affine shape");
        return new NormAdapter(name, layer, Dropouts.NONE, w, b);
    }

    private static void requireNorm(String name, LayerSpec layer) {
        if (!(layer instanceof LayerSpec.LayerNorm || layer instanceof LayerSpec.GroupNorm)) {
            throw inconsistent(name, Algorithm.NORM, "adapts LayerNorm and GroupNorm layers, not " + layer);
        }
    }

    /** {@code w_norm}, {@code b_norm}, each channel masked by rank dropout while training. */
    private Tensor[] deltas() {
        Tensor mask = rankKeepMask(wNorm.numel(), wNorm.scalar_type());
        if (mask == null) return new Tensor[] {wNorm, bNorm};
        Tensor m = mask.reshape(wNorm.sizes().vec().get());
        return new Tensor[] {wNorm.mul(m), bNorm == null ? null : bNorm.mul(m)};
    }

    @Override
    public WeightPair mergedWeights(Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return new WeightPair(weight, bias);
        Tensor[] d = deltas();
        Tensor w = weight != null ? weight : torch.ones_like(d[0]);
        Tensor b = bias != null || d[1] == null ? bias : torch.zeros_like(d[1]);
        return new WeightPair(Full.merged(w, d[0], multiplier), Full.merged(b, d[1], multiplier));
    }

    @Override public boolean hasBypass() { return true; }

    @Override
    public Tensor bypassForward(Tensor x, Tensor inner, Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return inner;
        Tensor[] d = deltas();
        return inner.add(NormDelta.bypassIncrement(layer(), x, d[0], d[1], multiplier).to(inner.scalar_type()));
    }

    /** {@code w_norm}, {@code b_norm}, the reference's order. */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("w_norm", wNorm.detach());
        if (bNorm != null) sd.put("b_norm", bNorm.detach());
        return sd;
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>();
        p.add(wNorm);
        if (bNorm != null) p.add(bNorm);
        return p;
    }

    @Override
    public Map<String, Object> hyperParameters() {
        return baseHyperParameters();
    }
}
