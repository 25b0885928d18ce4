package dev.lycoris4j.diffusion.scheduler;

import org.bytedeco.pytorch.Tensor;

/**
 * A sampler that turns noise into a sample in a fixed number of denoising steps, driven by a model's output.
 * A generation is: {@link #setTimesteps}, start from noise scaled by {@link #initNoiseSigma}, then for each
 * step index i in order: feed {@link #scaleModelInput} of the current sample and {@code timesteps()[i]} to the
 * model, and replace the sample with {@link #step}'s {@code prevSample}.
 *
 * <p>Implementations may keep state between the steps of one generation (multistep solvers remember earlier
 * model outputs); {@link #setTimesteps} and step index 0 always start afresh. Not thread-safe.
 */
public interface Scheduler {

    /** Prepares a generation of {@code steps} denoising steps and forgets any previous one. */
    void setTimesteps(int steps);

    /**
     * The model timestep of each step, first step first (a copy). Integer-valued except for Euler with
     * 'linspace' spacing, whose timesteps are the float32 values diffusers feeds the model.
     */
    float[] timesteps();

    /** The standard deviation of the initial noise: multiply unit Gaussian noise by it. After setTimesteps. */
    float initNoiseSigma();

    /** The sample as the model wants to see it at this step (identity for DDIM and DPM-Solver). */
    Tensor scaleModelInput(Tensor sample, int stepIndex);

    /** One denoising step from {@code sample} given the model's output for {@code scaleModelInput(sample)}. */
    StepResult step(Tensor modelOutput, int stepIndex, Tensor sample);
}
