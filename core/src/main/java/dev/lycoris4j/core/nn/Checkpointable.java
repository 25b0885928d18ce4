package dev.lycoris4j.core.nn;

/**
 * A module whose forward can run as one gradient-checkpointed segment ({@link Checkpoint}): diffusers'
 * {@code gradient_checkpointing} granularity (a ResnetBlock2D, a Transformer2DModel, a CLIP encoder layer).
 * {@link Checkpoint#enable} switches every such module of a tree.
 */
public interface Checkpointable {
    /** While on, the module's forward keeps no activations and recomputes them during backward. */
    void setGradientCheckpointing(boolean on);
}
