package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.Tensor;

/**
 * A replacement forward for an {@link AdaptableLayer}. Adapters install one to change what a
 * layer computes without the model knowing; core stays ignorant of adapter algorithms.
 */
@FunctionalInterface
public interface LayerForward {
    Tensor forward(AdaptableLayer layer, Tensor x);
}
