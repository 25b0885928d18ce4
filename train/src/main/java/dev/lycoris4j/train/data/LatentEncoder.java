package dev.lycoris4j.train.data;

import org.bytedeco.pytorch.Tensor;

/** Turns a preprocessed image into the latents training uses (a VAE, or a stand-in in tests). */
public interface LatentEncoder {

    /** Identifies the weights and settings: cached latents are reused only under the same fingerprint. */
    String fingerprint();

    /** The latents [channels, h, w] (CPU, float32, unscaled) of one image [3, H, W] with values in [−1, 1]. */
    Tensor encode(Tensor image);
}
