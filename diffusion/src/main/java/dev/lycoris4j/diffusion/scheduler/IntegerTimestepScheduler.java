package dev.lycoris4j.diffusion.scheduler;

import org.bytedeco.pytorch.Tensor;

/**
 * What DDIM and DPM-Solver++ share: integer timesteps on the training grid, unit initial noise and the sample fed
 * to the model unscaled. Subclasses fill {@link #timesteps} in {@link #setTimesteps}.
 */
abstract class IntegerTimestepScheduler implements Scheduler {
    /** The model timestep of each step; null until {@link #setTimesteps}. */
    protected long[] timesteps;

    @Override
    public final float[] timesteps() {
        return StepMath.timestepsAsFloats(timesteps);
    }

    @Override
    public final float initNoiseSigma() {
        return 1f;
    }

    @Override
    public final Tensor scaleModelInput(Tensor sample, int stepIndex) {
        requireStep(stepIndex);
        return sample;
    }

    /** Checks that {@link #step}'s arguments fit the prepared generation. */
    protected final void requireStep(Tensor modelOutput, int stepIndex, Tensor sample) {
        requireStep(stepIndex);
        StepMath.requireSameShape(modelOutput, sample);
    }

    private void requireStep(int stepIndex) {
        StepMath.requirePrepared(timesteps != null);
        StepMath.requireStepIndex(timesteps.length, stepIndex);
    }
}
