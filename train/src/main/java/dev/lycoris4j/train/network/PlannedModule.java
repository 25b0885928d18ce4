package dev.lycoris4j.train.network;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.core.nn.AdaptableLayer;

/**
 * A layer a network wraps, before its adapter exists.
 *
 * @param name   the module name files use ({@code lora_unet_down_blocks_0_..._to_q})
 * @param role   the part of the model it belongs to
 * @param path   its path in our module tree
 * @param layer  the layer
 * @param config the adapter config it gets (algorithm, rank, alpha, options)
 */
public record PlannedModule(String name, NetworkComponent.Role role, String path, AdaptableLayer layer,
                            AdapterConfig config) {

    /** A freshly initialised adapter for the layer (not yet attached to it). */
    public Adapter createAdapter() {
        return AdapterFormats.create(name, layer.spec(), config, layer.weight());
    }
}
