package dev.lycoris4j.diffusion.scheduler;

import org.bytedeco.pytorch.Tensor;

/**
 * The outcome of one denoising step.
 *
 * @param prevSample          the sample for the next step (the final sample after the last step)
 * @param predOriginalSample  the step's estimate of the fully denoised sample x₀ (for previews)
 */
public record StepResult(Tensor prevSample, Tensor predOriginalSample) {}
