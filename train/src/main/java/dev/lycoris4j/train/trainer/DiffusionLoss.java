package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.diffusion.scheduler.NoiseSchedule;
import dev.lycoris4j.diffusion.scheduler.PredictionType;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The denoising loss of the paper's eq. 1, as kohya computes it: ε ~ N(0, I), t uniform in {0, …, T−1}, x_t the
 * forward-noised latents, and the mean squared error between the UNet's prediction and its target (ε, or the
 * velocity v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀ for v-prediction), averaged over every element of the batch.
 */
public final class DiffusionLoss {
    /** {@code at::Reduction::None}. */
    private static final long NO_REDUCTION = 0;
    private final UNet2DConditionModel unet;
    private final NoiseSchedule schedule;
    private final PredictionType prediction;

    public DiffusionLoss(UNet2DConditionModel unet, NoiseSchedule schedule, PredictionType prediction) {
        this.unet = unet;
        this.schedule = schedule;
        this.prediction = prediction;
    }

    /**
     * The loss with noise and timesteps drawn from libtorch's default CPU generator, noise first as kohya draws them
     * (drawn on the CPU so a seed gives the same run on any device).
     *
     * @param latents scaled latents x₀ [batch, channels, h, w]
     */
    public Tensor loss(Tensor latents, Tensor context, double[] weights) {
        Tensor noise = torch.randn(Tensors.shape(latents)).to(latents.device(), latents.scalar_type());
        Tensor timesteps = torch.randint(schedule.numTrainTimesteps(), new long[] {latents.size(0)}).to(latents.device(), torch.ScalarType.Long);
        return loss(latents, context, noise, timesteps, weights);
    }

    /** The loss for given noise and integer timesteps [batch]; {@code weights} as in {@link #predictionLoss}. */
    public Tensor loss(Tensor latents, Tensor context, Tensor noise, Tensor timesteps, double[] weights) {
        Tensor noisy = schedule.addNoise(latents, noise, timesteps);
        return predictionLoss(noisy, timesteps, context, target(latents, noise, timesteps), weights);
    }

    /** The regression target for x₀ noised with ε at t. */
    public Tensor target(Tensor latents, Tensor noise, Tensor timesteps) {
        return prediction == PredictionType.V_PREDICTION ? schedule.velocity(latents, noise, timesteps) : noise;
    }

    /**
     * mean((UNet(x_t, t, context) − target)²), computed in float32 or wider (half-precision models are upcast). With
     * {@code weights} (one per sample; the prior loss weight of regularisation images), as kohya weights it: each
     * sample's mean squared error times its weight, averaged over the batch.
     */
    public Tensor predictionLoss(Tensor noisy, Tensor timesteps, Tensor context, Tensor target, double[] weights) {
        Tensor predicted = unet.forward(noisy, timesteps, context);
        if (weights == null) return torch.mse_loss(atLeastFloat(predicted), atLeastFloat(target));
        Tensor squared = torch.mse_loss(atLeastFloat(predicted), atLeastFloat(target), NO_REDUCTION);
        Tensor perSample = squared.flatten(1, -1).mean(new long[] {1}, false, new ScalarTypeOptional());
        return perSample.mul(Tensors.fromDoubles(weights, weights.length).to(perSample.device(), perSample.scalar_type())).mean();
    }

    private static Tensor atLeastFloat(Tensor t) {
        DType d = Tensors.dtype(t);
        return d == DType.F16 || d == DType.BF16 ? t.to(torch.ScalarType.Float) : t;
    }
}
