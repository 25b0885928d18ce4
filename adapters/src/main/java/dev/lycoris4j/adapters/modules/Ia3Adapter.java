package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.functional.Channels;
import dev.lycoris4j.adapters.functional.Ia3;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * (IA)³ (spec §2.7): a per-channel gain {@code 1 + m·w} on the output channels or, with
 * {@code train_on_input}, on the input channels. Files carry {@code weight} ((n,) for Linear, (1, n, 1…)
 * for Conv) and {@code on_input} (I64 0/1). The reference cannot load these files at all (spec §8 #11);
 * here they load like any other module.
 *
 * <p><b>Bypass</b>: on the input it is the merged forward (the input is scaled and the layer runs on it).
 * On the output it follows the reference: the whole output, <em>bias included</em>, is multiplied by
 * the gain, so it equals the merged forward only for a layer without bias (spec §8 #7).
 */
public final class Ia3Adapter extends AdapterBase {
    static final Set<String> KEYS = Set.of("weight", "on_input");

    private final Tensor weight;
    private final Tensor onInputBuffer;
    private final boolean onInput;

    private Ia3Adapter(String name, LayerSpec layer, Dropouts dropouts, Tensor weight, Tensor onInputBuffer,
                       boolean onInput) {
        super(name, Algorithm.IA3, layer, dropouts);
        this.weight = keep(weight);
        this.onInputBuffer = keep(onInputBuffer);
        this.onInput = onInput;
    }

    /** A new adapter: zero weights (gain 1) of the reference's shape; {@code train_on_input} picks the side. */
    public static Ia3Adapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        requireLinearOrConv(name, Algorithm.IA3, layer);
        Tensor w = parameter(Init.ZEROS, storedShape(layer, c.trainOnInput()));
        Tensor flag = keep(Tensors.scalar(c.trainOnInput() ? 1 : 0).to(torch.ScalarType.Long));
        return new Ia3Adapter(name, layer, Dropouts.of(c), w, flag, c.trainOnInput());
    }

    /** Rebuilds from {@code weight} and {@code on_input} (0 or 1); the weight must have one value per channel of that side. */
    public static Ia3Adapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm a = Algorithm.IA3;
        requireLinearOrConv(name, a, layer);
        rejectUnknownKeys(name, a, t, KEYS);
        Tensor w = require(name, a, t, "weight");
        Tensor flag = require(name, a, t, "on_input");
        if (flag.numel() != 1) throw inconsistent(name, a, "on_input must be a scalar, got shape " + Tensors.shapeString(flag));
        double v = flag.to(torch.ScalarType.Double).item_double();
        if (v != 0 && v != 1) throw inconsistent(name, a, "on_input must be 0 or 1, got " + v);
        boolean onInput = v == 1;
        requireShape(name, a, "weight", w, storedShape(layer, onInput),
                onInput ? "one value per input channel," : "one value per output channel,");
        return new Ia3Adapter(name, layer, Dropouts.NONE, w, flag, onInput);
    }

    /** Linear (n,), Conv (1, n, 1…), n the channels of the trained side. */
    private static long[] storedShape(LayerSpec layer, boolean onInput) {
        long[] w = layer.weightShape();
        long n = onInput ? w[1] : w[0];
        if (layer instanceof LayerSpec.Conv) {
            long[] s = ones(w.length);
            s[1] = n;
            return s;
        }
        return new long[] {n};
    }

    public boolean onInput() { return onInput; }

    @Override
    public WeightPair mergedWeights(Tensor w, Tensor bias, double multiplier) {
        if (skipThisCall()) return new WeightPair(w, bias);
        return new WeightPair(Ia3.mergedWeight(w, weight, onInput, multiplier), bias);
    }

    @Override public boolean hasBypass() { return true; }

    /** See the class comment: input side = merged forward; output side scales the whole output. */
    @Override
    public Tensor bypassForward(Tensor x, Tensor inner, Tensor w, Tensor bias, double multiplier) {
        if (skipThisCall()) return inner;
        if (onInput) {
            Tensor dx = Ia3.inputIncrement(x, Channels.inputAxis(layer()), weight, multiplier);
            return inner.add(layer().apply(dx, w, null));
        }
        return Ia3.scaleOutput(inner, Channels.outputAxis(layer()), weight, multiplier);
    }

    /** {@code weight}, {@code on_input}: the reference's default state dict (parameter, then buffer). */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("weight", weight.detach());
        sd.put("on_input", onInputBuffer);
        return sd;
    }

    @Override public List<Tensor> parameters() { return List.of(weight); }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> h = baseHyperParameters();
        h.put("train_on_input", onInput);
        return h;
    }
}
