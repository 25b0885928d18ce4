package dev.lycoris4j.adapters;

import dev.lycoris4j.core.nn.AdaptableLayer;
import dev.lycoris4j.core.nn.LayerForward;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The adapters stacked on one layer, each with its own multiplier, installed as the layer's
 * forward. Merged mode: each adapter's weight change is taken against the stored weights and the
 * changes add (W + Σ(Wᵢ' − W)). Bypass mode: each adapter transforms the output of the ones below.
 */
public final class AdapterChain implements LayerForward {
    /** An adapter and the multiplier it is applied with. */
    public record Entry(Adapter adapter, double multiplier) {}

    private final List<Entry> entries = new ArrayList<>();
    private boolean bypass;

    public static AdapterChain attach(AdaptableLayer layer) {
        if (layer.forwardOverride() instanceof AdapterChain existing) return existing;
        AdapterChain chain = new AdapterChain();
        layer.setForwardOverride(chain);
        return chain;
    }

    public void add(Adapter adapter, double multiplier) {
        entries.add(new Entry(adapter, multiplier));
    }

    public boolean remove(Adapter adapter) {
        return entries.removeIf(e -> e.adapter() == adapter);
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public void setBypass(boolean bypass) {
        this.bypass = bypass;
    }

    public boolean isBypass() {
        return bypass;
    }

    /** Every stacked adapter's trainable tensors. */
    @Override
    public List<Tensor> parameters() {
        List<Tensor> out = new ArrayList<>();
        for (Entry e : entries) out.addAll(e.adapter().parameters());
        return out;
    }

    @Override
    public Tensor forward(AdaptableLayer layer, Tensor x) {
        Tensor w = layer.weight();
        Tensor b = layer.bias();
        if (bypass) {
            Tensor y = layer.baseForward(x);
            for (Entry e : entries) y = e.adapter().bypassForward(x, y, w, b, e.multiplier());
            return y;
        }
        WeightPair merged = mergedWeights(w, b);
        return layer.spec().apply(x, merged.weight(), merged.bias());
    }

    /** The stored weights plus the sum of every adapter's change (what a merge writes). */
    public WeightPair mergedWeights(Tensor weight, Tensor bias) {
        if (entries.size() == 1) {
            Entry e = entries.getFirst();
            return e.adapter().mergedWeights(weight, bias, e.multiplier());
        }
        Tensor w = weight;
        Tensor b = bias;
        for (Entry e : entries) {
            WeightPair m = e.adapter().mergedWeights(weight, bias, e.multiplier());
            w = w.add(m.weight().sub(weight));
            if (b != null && m.bias() != null) b = b.add(m.bias().sub(bias));
        }
        return new WeightPair(w, b);
    }
}
