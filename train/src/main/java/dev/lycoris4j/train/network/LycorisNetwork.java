package dev.lycoris4j.train.network;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterChain;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.core.nn.AdaptableLayer;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of adapters over a model's text encoders and UNet, chosen by a preset ({@link NetworkPlan}): the
 * reference's {@code LycorisNetworkKohya}. Creating it creates the adapters; {@link #applyTo()} installs them in
 * their layers' forward (training, or inference without touching the weights), {@link #merge()} folds them
 * into the stored weights instead.
 */
public final class LycorisNetwork {
    /** One wrapped layer and its adapter. */
    public record WrappedLayer(PlannedModule plan, Adapter adapter) {}

    private final List<WrappedLayer> modules;
    private final List<NetworkAdapter> installed = new ArrayList<>();
    private double multiplier = 1.0;
    private boolean applied;
    private List<WeightPair> originals;

    private LycorisNetwork(List<WrappedLayer> modules) {
        this.modules = List.copyOf(modules);
    }

    /** Creates the adapters of every layer the config selects, text encoders first (not yet installed). */
    public static LycorisNetwork create(List<NetworkComponent> components, NetworkConfig config) {
        List<WrappedLayer> modules = new ArrayList<>();
        for (PlannedModule p : NetworkPlan.of(components, config)) modules.add(new WrappedLayer(p, p.createAdapter()));
        return new LycorisNetwork(modules);
    }

    public static LycorisNetwork create(StableDiffusion model, NetworkConfig config) {
        return create(NetworkComponent.of(model), config);
    }

    /** The wrapped layers in state-dict order: text-encoder modules, then UNet modules, each in model order. */
    public List<WrappedLayer> modules() {
        return modules;
    }

    public List<Adapter> adapters() {
        return modules.stream().map(WrappedLayer::adapter).toList();
    }

    /** The text encoders' trainable tensors (an optimizer group of their own, for a separate learning rate). */
    public List<Tensor> textEncoderParameters() {
        return parameters(NetworkComponent.Role.TEXT_ENCODER);
    }

    /** The UNet's trainable tensors. */
    public List<Tensor> unetParameters() {
        return parameters(NetworkComponent.Role.UNET);
    }

    private List<Tensor> parameters(NetworkComponent.Role role) {
        List<Tensor> out = new ArrayList<>();
        for (WrappedLayer m : modules) if (m.plan().role() == role) out.addAll(m.adapter().parameters());
        return out;
    }

    /**
     * What a file stores, in the reference's order: {@code <module name>.<suffix>} for every module, text
     * encoders first, each module's keys in its own order (this order feeds {@code sshs_model_hash}).
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (WrappedLayer m : modules) {
            for (Map.Entry<String, Tensor> e : m.adapter().stateDict().entrySet()) {
                out.put(m.plan().name() + "." + e.getKey(), e.getValue());
            }
        }
        return out;
    }

    public double multiplier() {
        return multiplier;
    }

    /** Scales every adapter's effect; installed adapters follow at once, a merge takes the value it is done at. */
    public void setMultiplier(double multiplier) {
        this.multiplier = multiplier;
    }

    /** Switches the adapters' dropouts on (training) or off. */
    public void setTraining(boolean training) {
        for (WrappedLayer m : modules) m.adapter().setTraining(training);
    }

    /** Installs every adapter in its layer's forward, on top of any adapters already there. */
    public void applyTo() {
        if (applied) throw new IllegalStateException("the network is already applied");
        if (originals != null) throw new IllegalStateException("the network is merged; unmerge() it first");
        for (WrappedLayer m : modules) {
            NetworkAdapter a = new NetworkAdapter(m.adapter(), this::multiplier);
            AdapterChain.attach(m.plan().layer()).add(a, 1.0);
            installed.add(a);
        }
        applied = true;
    }

    /** Takes the adapters out of their layers' forward again (the reference's {@code restore()}). */
    public void restore() {
        if (!applied) return;
        for (int i = 0; i < modules.size(); i++) {
            AdaptableLayer layer = modules.get(i).plan().layer();
            AdapterChain chain = AdapterChain.attach(layer);
            chain.remove(installed.get(i));
            if (chain.entries().isEmpty()) layer.setForwardOverride(null);
        }
        installed.clear();
        applied = false;
    }

    /**
     * Writes every adapter's merged weights (at the current multiplier) into its layer's stored weights, keeping
     * the originals for {@link #unmerge()}; an applied network is restored first, so nothing applies twice.
     */
    public void merge() {
        if (originals != null) throw new IllegalStateException("the network is already merged");
        restore();
        List<WeightPair> saved = new ArrayList<>();
        try (NoGrad ignored = new NoGrad()) {
            for (WrappedLayer m : modules) {
                AdaptableLayer layer = m.plan().layer();
                WeightPair merged = m.adapter().mergedWeights(layer.weight(), layer.bias(), multiplier);
                if (layer.bias() == null && merged.bias() != null) {
                    throw new IllegalStateException("module " + m.plan().name() + " changes a bias its layer "
                            + m.plan().path() + " does not have");
                }
                saved.add(new WeightPair(layer.weight().detach().clone(), layer.bias() == null ? null : layer.bias().detach().clone()));
                layer.weight().copy_(merged.weight());
                if (layer.bias() != null && merged.bias() != null) layer.bias().copy_(merged.bias());
            }
        }
        originals = saved;
    }

    /** Puts back the weights {@link #merge()} replaced. */
    public void unmerge() {
        if (originals == null) return;
        try (NoGrad ignored = new NoGrad()) {
            for (int i = 0; i < modules.size(); i++) {
                AdaptableLayer layer = modules.get(i).plan().layer();
                layer.weight().copy_(originals.get(i).weight());
                if (layer.bias() != null) layer.bias().copy_(originals.get(i).bias());
            }
        }
        originals = null;
    }
}
