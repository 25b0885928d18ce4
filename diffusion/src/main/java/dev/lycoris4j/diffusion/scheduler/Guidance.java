package dev.lycoris4j.diffusion.scheduler;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/** Combining conditional and unconditional model outputs. */
public final class Guidance {
    private Guidance() {}

    /**
     * Classifier-free guidance: uncond + scale·(cond − uncond). Scale 1 gives the conditional output, 0 the
     * unconditional one; Stable Diffusion is usually sampled at about 7.5.
     */
    public static Tensor classifierFree(Tensor uncond, Tensor cond, double scale) {
        return uncond.add(cond.sub(uncond).mul(new Scalar(scale)));
    }
}
