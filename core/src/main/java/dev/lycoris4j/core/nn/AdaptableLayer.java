package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.Tensor;

/**
 * A layer with a weight (and optional bias) whose forward an adapter can take over:
 * Linear, ConvNd, LayerNorm and GroupNorm. {@link #baseForward} always runs the stored weights.
 */
public abstract class AdaptableLayer extends Module {
    private LayerForward forwardOverride;

    public abstract LayerSpec spec();

    /** The stored weight parameter. */
    public abstract Tensor weight();

    /** The stored bias parameter, or null when the layer has none. */
    public abstract Tensor bias();

    /** The layer's own op on its stored weights, whatever adapters are attached. */
    public final Tensor baseForward(Tensor x) {
        return spec().apply(x, weight(), bias());
    }

    public final Tensor forward(Tensor x) {
        return forwardOverride == null ? baseForward(x) : forwardOverride.forward(this, x);
    }

    /** Installs (or with null, removes) the forward that adapters provide. */
    public final void setForwardOverride(LayerForward forward) {
        this.forwardOverride = forward;
    }

    public final LayerForward forwardOverride() {
        return forwardOverride;
    }
}
