package dev.lycoris4j.train.network;

import dev.lycoris4j.adapters.AdapterConfig;

/**
 * Network-wide settings: kohya's {@code network_dim}/{@code network_alpha} and {@code network_args}.
 *
 * @param adapter          algorithm and options for every module, at the linear rank and alpha ({@code dim},
 *                         {@code alpha}); 1×1 convs use these too
 * @param convDim          rank of k×k convs (0 skips them); kohya's default is the linear dim
 * @param convAlpha        alpha of k×k convs; kohya's default is the linear alpha
 * @param trainNorm        also wrap LayerNorm/GroupNorm layers inside targets, with Norm adapters
 * @param trainTextEncoder false wraps the UNet only (kohya's {@code --network_train_unet_only})
 * @param preset           which modules to wrap, with per-module configs
 */
public record NetworkConfig(AdapterConfig adapter, int convDim, double convAlpha, boolean trainNorm,
                            boolean trainTextEncoder, NetworkPreset preset) {

    public NetworkConfig {
        if (convDim < 0) throw new IllegalArgumentException("conv dim must be >= 0, got " + convDim);
    }

    /** kohya's defaults: conv dim and alpha equal to the linear ones, no norms, text encoders trained. */
    public static NetworkConfig of(AdapterConfig adapter, NetworkPreset preset) {
        return new NetworkConfig(adapter, adapter.dim(), adapter.alpha(), false, true, preset);
    }

    public NetworkConfig withConv(int dim, double alpha) {
        return new NetworkConfig(adapter, dim, alpha, trainNorm, trainTextEncoder, preset);
    }

    public NetworkConfig withTrainNorm(boolean on) {
        return new NetworkConfig(adapter, convDim, convAlpha, on, trainTextEncoder, preset);
    }

    public NetworkConfig withTrainTextEncoder(boolean on) {
        return new NetworkConfig(adapter, convDim, convAlpha, trainNorm, on, preset);
    }
}
