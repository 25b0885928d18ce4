package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.Tensor;

import java.util.List;

/**
 * A replacement forward for an {@link AdaptableLayer}. Adapters install one to change what a
 * layer computes without the model knowing; core stays ignorant of adapter algorithms.
 */
@FunctionalInterface
public interface LayerForward {
    Tensor forward(AdaptableLayer layer, Tensor x);

    /**
     * The tensors this forward uses besides the layer's own weights (an adapter's factors). Gradient
     * checkpointing asks it whether a segment has anything to train; a forward that adds none keeps the default.
     */
    default List<Tensor> parameters() {
        return List.of();
    }
}
