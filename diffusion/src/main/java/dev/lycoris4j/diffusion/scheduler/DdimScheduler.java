package dev.lycoris4j.diffusion.scheduler;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;

import static dev.lycoris4j.diffusion.scheduler.StepMath.over;
import static dev.lycoris4j.diffusion.scheduler.StepMath.sqrt;
import static dev.lycoris4j.diffusion.scheduler.StepMath.times;

/**
 * Deterministic DDIM (η = 0), diffusers' {@code DDIMScheduler}: x_{t'} = √ᾱ_{t'}·x̂₀ + √(1−ᾱ_{t'})·ε̂,
 * where t' = t − N/steps and x̂₀, ε̂ come from the model output. Stateless between steps.
 */
public final class DdimScheduler extends IntegerTimestepScheduler {
    private final SchedulerConfig config;
    private final NoiseSchedule schedule;
    private final TimestepSpacing spacing;
    // ᾱ used after the last step, where t' < 0: 1 (a clean image) or, as SD configures it, ᾱ_0.
    private final float finalAlphaCumprod;
    private int stride;

    public DdimScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = NoiseSchedule.of(config);
        this.spacing = config.timestepSpacingOr(TimestepSpacing.LEADING);
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1f : schedule.alphaCumprod(0);
    }

    @Override
    public void setTimesteps(int steps) {
        int n = config.numTrainTimesteps();
        StepMath.requireStepCount(steps, n);
        timesteps = switch (spacing) {
            case LINSPACE -> TimestepGrids.linspaceRounded(n - 1, steps);
            case LEADING -> TimestepGrids.leading(steps, n / steps, config.stepsOffset());
            case TRAILING -> TimestepGrids.trailing(n, steps);
        };
        // diffusers steps back by N // steps whatever the spacing, even where the grid's gaps differ.
        stride = n / steps;
    }

    @Override
    public StepResult step(Tensor modelOutput, int stepIndex, Tensor sample) {
        requireStep(modelOutput, stepIndex, sample);
        int t = (int) timesteps[stepIndex];
        int prevT = t - stride;
        float alphaProd = schedule.alphaCumprod(t);
        float alphaProdPrev = prevT >= 0 ? schedule.alphaCumprod(prevT) : finalAlphaCumprod;
        float betaProd = 1f - alphaProd;
        float sqrtAlpha = sqrt(alphaProd);
        float sqrtBeta = sqrt(betaProd);

        Tensor x = StepMath.forCompute(sample);
        Tensor out = StepMath.forCompute(modelOutput);
        Tensor predOriginal = switch (config.predictionType()) {
            case EPSILON -> over(x.sub(times(out, sqrtBeta)), sqrtAlpha);
            case V_PREDICTION -> times(x, sqrtAlpha).sub(times(out, sqrtBeta));
        };
        Tensor predEpsilon = switch (config.predictionType()) {
            case EPSILON -> out;
            case V_PREDICTION -> times(out, sqrtAlpha).add(times(x, sqrtBeta));
        };
        if (config.clipSample()) {
            float r = (float) config.clipSampleRange();
            predOriginal = predOriginal.clamp(new ScalarOptional(new Scalar(-r)), new ScalarOptional(new Scalar(r)));
        }
        // With η = 0 the noise term σ_t vanishes: the direction to x_t is just √(1−ᾱ_{t'})·ε̂.
        Tensor direction = times(predEpsilon, sqrt(1f - alphaProdPrev));
        Tensor prev = times(predOriginal, sqrt(alphaProdPrev)).add(direction);
        return new StepResult(StepMath.asDtypeOf(prev, modelOutput), StepMath.asDtypeOf(predOriginal, modelOutput));
    }
}
