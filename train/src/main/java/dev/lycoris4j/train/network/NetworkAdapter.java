package dev.lycoris4j.train.network;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Tensor;

import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * An adapter as a network installs it in a layer's {@code AdapterChain}: it runs at the network's current
 * multiplier, read at every call, so {@link LycorisNetwork#setMultiplier} acts at once without re-installing
 * (which would change the adapter's place in a stack shared with other networks).
 */
final class NetworkAdapter implements Adapter {
    private final Adapter adapter;
    private final DoubleSupplier multiplier;

    NetworkAdapter(Adapter adapter, DoubleSupplier multiplier) {
        this.adapter = adapter;
        this.multiplier = multiplier;
    }

    @Override public String name() { return adapter.name(); }

    @Override public Algorithm algorithm() { return adapter.algorithm(); }

    @Override public LayerSpec layer() { return adapter.layer(); }

    @Override public Map<String, Tensor> stateDict() { return adapter.stateDict(); }

    @Override public List<Tensor> parameters() { return adapter.parameters(); }

    @Override public Map<String, Object> hyperParameters() { return adapter.hyperParameters(); }

    @Override public WeightPair mergedWeights(Tensor weight, Tensor bias, double m) {
        return adapter.mergedWeights(weight, bias, m * multiplier.getAsDouble());
    }

    @Override public boolean hasBypass() { return adapter.hasBypass(); }

    @Override public Tensor bypassForward(Tensor x, Tensor inner, Tensor weight, Tensor bias, double m) {
        return adapter.bypassForward(x, inner, weight, bias, m * multiplier.getAsDouble());
    }

    @Override public void setTraining(boolean training) { adapter.setTraining(training); }
}
