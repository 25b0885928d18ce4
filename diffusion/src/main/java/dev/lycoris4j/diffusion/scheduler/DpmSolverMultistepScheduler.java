package dev.lycoris4j.diffusion.scheduler;

import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;

import static dev.lycoris4j.diffusion.scheduler.StepMath.over;
import static dev.lycoris4j.diffusion.scheduler.StepMath.sqrt;
import static dev.lycoris4j.diffusion.scheduler.StepMath.times;

/**
 * DPM-Solver++ 2M, diffusers' {@code DPMSolverMultistepScheduler} with algorithm dpmsolver++, order 2, the
 * midpoint solver, lower_order_final and final σ zero; optionally on Karras σs ("DPM++ 2M Karras").
 *
 * <p>Each step converts the model output to a data prediction x̂₀ and integrates in λ = log(α/σ). The first
 * step and the last (which lands on σ = 0) are first order; the others also use the previous step's x̂₀,
 * which this object keeps: step indices must therefore run 0, 1, 2, … and index 0 starts a new generation.
 */
public final class DpmSolverMultistepScheduler extends IntegerTimestepScheduler {
    private final SchedulerConfig config;
    private final TimestepSpacing spacing;
    private final float[] trainSigmas;
    // One more than the steps: the σ after the last step is 0.
    private float[] sigmas;
    // x̂₀ of the previous step, referenced so that the caller's per-step PointerScope cannot free it.
    private Tensor previousPrediction;
    private int nextStepIndex;

    public DpmSolverMultistepScheduler(SchedulerConfig config) {
        this.config = config;
        this.spacing = config.timestepSpacingOr(TimestepSpacing.LINSPACE);
        this.trainSigmas = NoiseSchedule.of(config).sigmas();
    }

    @Override
    public void setTimesteps(int steps) {
        int n = config.numTrainTimesteps();
        StepMath.requireStepCount(steps, n);
        long[] t;
        float[] s = new float[steps + 1];
        if (config.useKarrasSigmas()) {
            // The spacing plays no part: σs come from the Karras ramp and timesteps from inverting σ(t).
            double[] karras = KarrasSigmas.between(trainSigmas[0], trainSigmas[n - 1], steps);
            float[] logSigmas = new float[n];
            for (int i = 0; i < n; i++) logSigmas[i] = (float) Math.log(trainSigmas[i]);
            t = new long[steps];
            for (int i = 0; i < steps; i++) {
                t[i] = (long) Math.rint(KarrasSigmas.timestepOf(karras[i], logSigmas));
                s[i] = (float) karras[i];
            }
        } else {
            // diffusers spaces steps + 1 points and drops the last (t = 0 before the offset).
            t = switch (spacing) {
                case LINSPACE -> Arrays.copyOf(TimestepGrids.linspaceRounded(n - 1, steps + 1), steps);
                case LEADING -> Arrays.copyOf(
                        TimestepGrids.leading(steps + 1, n / (steps + 1), config.stepsOffset()), steps);
                case TRAILING -> TimestepGrids.trailing(n, steps);
            };
            for (int i = 0; i < steps; i++) s[i] = trainSigmas[(int) t[i]];
        }
        timesteps = t;
        sigmas = s;
        forgetHistory();
    }

    /** σ of each step plus the final 0 (a copy). */
    public float[] sigmas() {
        StepMath.requirePrepared(sigmas != null);
        return sigmas.clone();
    }

    @Override
    public StepResult step(Tensor modelOutput, int stepIndex, Tensor sample) {
        requireStep(modelOutput, stepIndex, sample);
        if (stepIndex == 0) {
            forgetHistory();
        } else if (stepIndex != nextStepIndex) {
            throw new IllegalStateException("DPM-Solver++ steps must run in order: expected step index "
                    + nextStepIndex + ", got " + stepIndex + " (step index 0 starts a new generation)");
        }
        Tensor x = StepMath.forCompute(sample);
        Tensor out = StepMath.forCompute(modelOutput);
        Level current = Level.of(sigmas[stepIndex]);
        Tensor predOriginal = switch (config.predictionType()) {
            case EPSILON -> over(x.sub(times(out, current.sigma)), current.alpha);
            case V_PREDICTION -> times(x, current.alpha).sub(times(out, current.sigma));
        };
        Level next = Level.of(sigmas[stepIndex + 1]);
        boolean last = stepIndex == timesteps.length - 1;
        Tensor prev;
        if (previousPrediction == null || last) {
            prev = firstOrder(x, predOriginal, current, next);
        } else {
            prev = secondOrder(x, predOriginal, previousPrediction, Level.of(sigmas[stepIndex - 1]), current, next);
        }
        forgetHistory();
        if (!last) previousPrediction = ownedHandle(predOriginal);
        nextStepIndex = stepIndex + 1;
        return new StepResult(StepMath.asDtypeOf(prev, modelOutput), StepMath.asDtypeOf(predOriginal, modelOutput));
    }

    /** DPM-Solver++ first order (DDIM in λ): x_t = (σ_t/σ_s)·x − α_t·(e^{−h} − 1)·x̂₀. */
    private static Tensor firstOrder(Tensor x, Tensor predOriginal, Level s, Level t) {
        float h = t.lambda - s.lambda;
        float c = t.alpha * ((float) Math.exp(-h) - 1f);
        return times(x, t.sigma / s.sigma).sub(times(predOriginal, c));
    }

    /**
     * DPM-Solver++(2M), midpoint form: as first order with x̂₀ replaced by D0 + D1/2, D1 = (m0 − m1)/r0,
     * r0 = h_prev/h.
     */
    private static Tensor secondOrder(Tensor x, Tensor m0, Tensor m1, Level s1, Level s0, Level t) {
        float h = t.lambda - s0.lambda;
        float hPrevious = s0.lambda - s1.lambda;
        float r0 = hPrevious / h;
        Tensor d1 = times(m0.sub(m1), 1f / r0);
        float c = t.alpha * ((float) Math.exp(-h) - 1f);
        return times(x, t.sigma / s0.sigma).sub(times(m0, c)).sub(times(d1, 0.5f * c));
    }

    /** α = 1/√(σ²+1), σ_vp = σ·α and λ = log α − log σ_vp of a variance-exploding σ, in float32. */
    private record Level(float alpha, float sigma, float lambda) {
        static Level of(float sigmaVe) {
            float alpha = 1f / sqrt(sigmaVe * sigmaVe + 1f);
            float sigma = sigmaVe * alpha;
            return new Level(alpha, sigma, (float) Math.log(alpha) - (float) Math.log(sigma));
        }
    }

    private void forgetHistory() {
        if (previousPrediction != null) {
            previousPrediction.close();
            previousPrediction = null;
        }
    }

    /**
     * A second handle on the tensor with a reference of its own, so that closing the caller's PointerScope
     * does not free it; {@link #forgetHistory} drops that reference.
     */
    private static Tensor ownedHandle(Tensor t) {
        Tensor handle = new Tensor(t);
        handle.retainReference();
        return handle;
    }
}
