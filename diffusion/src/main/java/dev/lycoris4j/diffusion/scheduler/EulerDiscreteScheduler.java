package dev.lycoris4j.diffusion.scheduler;

import org.bytedeco.pytorch.Tensor;

import static dev.lycoris4j.diffusion.scheduler.StepMath.over;
import static dev.lycoris4j.diffusion.scheduler.StepMath.sqrt;
import static dev.lycoris4j.diffusion.scheduler.StepMath.times;

/**
 * Deterministic Euler (s_churn = 0), diffusers' {@code EulerDiscreteScheduler}: an Euler step of the
 * probability-flow ODE in σ, x_{σ'} = x_σ + (σ' − σ)·(x_σ − x̂₀)/σ, with σ interpolated linearly between
 * training timesteps. Stateless between steps.
 */
public final class EulerDiscreteScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final TimestepSpacing spacing;
    private final float[] trainSigmas;
    private float[] timesteps;
    // One more than the steps: the σ after the last step is 0.
    private float[] sigmas;

    public EulerDiscreteScheduler(SchedulerConfig config) {
        if (config.useKarrasSigmas()) {
            throw new IllegalArgumentException("field 'use_karras_sigmas': true is not supported by the Euler sampler"
                    + " (use dpmpp-2m-karras)");
        }
        this.config = config;
        this.spacing = config.timestepSpacingOr(TimestepSpacing.LINSPACE);
        this.trainSigmas = NoiseSchedule.of(config).sigmas();
    }

    @Override
    public void setTimesteps(int steps) {
        int n = config.numTrainTimesteps();
        StepMath.requireStepCount(steps, n);
        float[] t = new float[steps];
        switch (spacing) {
            case LINSPACE -> {
                // Not rounded: the model sees fractional timesteps such as 749.25.
                double[] grid = NumpyCompat.linspace(0, n - 1, steps);
                for (int i = 0; i < steps; i++) t[i] = (float) grid[steps - 1 - i];
            }
            case LEADING -> copy(TimestepGrids.leading(steps, n / steps, config.stepsOffset()), t);
            case TRAILING -> copy(TimestepGrids.trailing(n, steps), t);
        }
        float[] s = new float[steps + 1];
        for (int i = 0; i < steps; i++) s[i] = (float) NumpyCompat.interpOnUnitGrid(t[i], trainSigmas);
        timesteps = t;
        sigmas = s;
    }

    /** σ of each step plus the final 0 (a copy). */
    public float[] sigmas() {
        StepMath.requirePrepared(sigmas != null);
        return sigmas.clone();
    }

    @Override
    public float[] timesteps() {
        StepMath.requirePrepared(timesteps != null);
        return timesteps.clone();
    }

    /**
     * σ_max for spacings that start at the last training step; otherwise √(σ_max² + 1), the standard deviation
     * of x_T when the schedule does not reach pure noise. Valid after {@link #setTimesteps}.
     */
    @Override
    public float initNoiseSigma() {
        StepMath.requirePrepared(sigmas != null);
        float max = 0f;
        for (float s : sigmas) max = Math.max(max, s);
        return spacing == TimestepSpacing.LEADING ? sqrt(max * max + 1f) : max;
    }

    /** x/√(σ² + 1): the model was trained on inputs of unit variance. */
    @Override
    public Tensor scaleModelInput(Tensor sample, int stepIndex) {
        StepMath.requirePrepared(sigmas != null);
        StepMath.requireStepIndex(timesteps.length, stepIndex);
        float sigma = sigmas[stepIndex];
        return over(sample, sqrt(sigma * sigma + 1f));
    }

    @Override
    public StepResult step(Tensor modelOutput, int stepIndex, Tensor sample) {
        StepMath.requirePrepared(sigmas != null);
        StepMath.requireStepIndex(timesteps.length, stepIndex);
        StepMath.requireSameShape(modelOutput, sample);
        float sigma = sigmas[stepIndex];
        // With s_churn = 0 no noise is added, so σ̂ = σ·(γ + 1) with γ = 0.
        float sigmaHat = sigma;
        Tensor x = StepMath.forCompute(sample);
        Tensor out = StepMath.forCompute(modelOutput);
        Tensor predOriginal = switch (config.predictionType()) {
            case EPSILON -> x.sub(times(out, sigmaHat));
            case V_PREDICTION -> times(out, -sigma / sqrt(sigma * sigma + 1f)).add(over(x, sigma * sigma + 1f));
        };
        Tensor derivative = over(x.sub(predOriginal), sigmaHat);
        float dt = sigmas[stepIndex + 1] - sigmaHat;
        Tensor prev = x.add(times(derivative, dt));
        return new StepResult(StepMath.asDtypeOf(prev, modelOutput), StepMath.asDtypeOf(predOriginal, modelOutput));
    }

    private static void copy(long[] from, float[] to) {
        for (int i = 0; i < to.length; i++) to[i] = from[i];
    }
}
