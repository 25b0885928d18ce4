package dev.lycoris4j.train.trainer;

/**
 * AdamW and gradient settings.
 *
 * @param unetLr        learning rate of the UNet adapters
 * @param textEncoderLr learning rate of the text-encoder adapters (0 leaves them untrained, as kohya drops the group)
 * @param maxGradNorm   clip the global gradient norm to this (0: no clipping)
 */
public record OptimizerConfig(double unetLr, double textEncoderLr, double weightDecay, double beta1, double beta2,
                              double eps, double maxGradNorm) {

    public OptimizerConfig {
        if (!(unetLr >= 0) || !(textEncoderLr >= 0)) {
            throw new IllegalArgumentException("learning rates must be >= 0, got unet " + unetLr + ", text encoder " + textEncoderLr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0)) throw new IllegalArgumentException("AdamW eps must be > 0, got " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (!(maxGradNorm >= 0)) throw new IllegalArgumentException("max_grad_norm must be >= 0, got " + maxGradNorm);
    }

    /** torch.optim.AdamW's defaults (kohya's AdamW) with kohya's clipping at 1, at one learning rate. */
    public static OptimizerConfig torchDefaults(double lr) {
        return new OptimizerConfig(lr, lr, 0.01, 0.9, 0.999, 1e-8, 1.0);
    }
}
