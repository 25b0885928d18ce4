package dev.lycoris4j.diffusion.scheduler;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;

/**
 * The forward (noising) process of a DDPM: per training timestep t the variance β_t and ᾱ_t = Π(1−β), in
 * float32 bit for bit as diffusers computes them in torch, plus the training targets built from them.
 */
public final class NoiseSchedule {
    // libtorch's AVX2 CPU kernels work on 8 float lanes, and its loops take two vectors per iteration.
    private static final int LANES = 8;

    private final float[] betas;
    private final float[] alphasCumprod;

    private NoiseSchedule(float[] betas) {
        this.betas = betas;
        this.alphasCumprod = new float[betas.length];
        // torch.cumprod on the CPU accumulates float32 inputs in double and stores each partial product as float.
        double product = 1.0;
        for (int t = 0; t < betas.length; t++) {
            product *= (1f - betas[t]);
            alphasCumprod[t] = (float) product;
        }
    }

    public static NoiseSchedule of(SchedulerConfig config) {
        int n = config.numTrainTimesteps();
        float[] betas = switch (config.betaSchedule()) {
            case LINEAR -> torchLinspaceFloat32(config.betaStart(), config.betaEnd(), n);
            case SCALED_LINEAR -> {
                float[] roots = torchLinspaceFloat32(Math.sqrt(config.betaStart()), Math.sqrt(config.betaEnd()), n);
                for (int i = 0; i < n; i++) roots[i] *= roots[i];
                yield roots;
            }
        };
        return new NoiseSchedule(betas);
    }

    public int numTrainTimesteps() {
        return betas.length;
    }

    /** β_t for t = 0 … N−1 (a copy). */
    public float[] betas() {
        return betas.clone();
    }

    /** ᾱ_t for t = 0 … N−1 (a copy). */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    public float alphaCumprod(int t) {
        return alphasCumprod[checkTimestep(t)];
    }

    /**
     * σ_t = √((1−ᾱ_t)/ᾱ_t), the noise level in the variance-exploding parametrisation that the Euler and
     * DPM-Solver samplers step in; float32 ops in torch's order.
     */
    public float[] sigmas() {
        float[] s = new float[alphasCumprod.length];
        for (int t = 0; t < s.length; t++) {
            float a = alphasCumprod[t];
            s[t] = (float) Math.sqrt((1f - a) / a);
        }
        return s;
    }

    /**
     * The noised sample x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε for a batch, one timestep per sample (diffusers'
     * {@code add_noise}). Coefficients are computed in float32 and applied in the samples' dtype and device.
     *
     * @param timesteps integer tensor of shape [batch]
     */
    public Tensor addNoise(Tensor original, Tensor noise, Tensor timesteps) {
        Coefficients c = coefficients(original, noise, timesteps);
        return c.sqrtAlpha.mul(original).add(c.sqrtOneMinusAlpha.mul(noise));
    }

    /**
     * The v-prediction target v_t = √ᾱ_t·ε − √(1−ᾱ_t)·x₀ (diffusers' {@code get_velocity}).
     *
     * @param timesteps integer tensor of shape [batch]
     */
    public Tensor velocity(Tensor original, Tensor noise, Tensor timesteps) {
        Coefficients c = coefficients(original, noise, timesteps);
        return c.sqrtAlpha.mul(noise).sub(c.sqrtOneMinusAlpha.mul(original));
    }

    private record Coefficients(Tensor sqrtAlpha, Tensor sqrtOneMinusAlpha) {}

    /** √ᾱ_t and √(1−ᾱ_t) per sample, shaped [batch, 1, …, 1] to broadcast over the sample's other axes. */
    private Coefficients coefficients(Tensor original, Tensor noise, Tensor timesteps) {
        long[] shape = Tensors.shape(original);
        if (!Arrays.equals(shape, Tensors.shape(noise))) {
            throw new IllegalArgumentException("noise shape " + Tensors.shapeString(noise)
                    + " differs from sample shape " + Tensors.shapeString(shape));
        }
        if (shape.length == 0 || timesteps.dim() != 1 || timesteps.size(0) != shape[0]) {
            throw new IllegalArgumentException("timesteps must have shape [" + (shape.length == 0 ? "batch" : shape[0])
                    + "] for samples of shape " + Tensors.shapeString(shape) + ", got "
                    + Tensors.shapeString(timesteps));
        }
        if (timesteps.is_floating_point()) {
            throw new IllegalArgumentException("timesteps must be an integer tensor, got " + Tensors.dtype(timesteps));
        }
        long[] t = Tensors.toLongs(timesteps);
        float[] sqrtAlpha = new float[t.length];
        float[] sqrtOneMinusAlpha = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            float a = alphasCumprod[checkTimestep(t[i])];
            sqrtAlpha[i] = (float) Math.sqrt(a);
            sqrtOneMinusAlpha[i] = (float) Math.sqrt(1f - a);
        }
        long[] coefficientShape = new long[shape.length];
        Arrays.fill(coefficientShape, 1);
        coefficientShape[0] = shape[0];
        return new Coefficients(onSampleDevice(sqrtAlpha, coefficientShape, original),
                onSampleDevice(sqrtOneMinusAlpha, coefficientShape, original));
    }

    private static Tensor onSampleDevice(float[] values, long[] shape, Tensor sample) {
        return Tensors.fromFloats(values, shape).to(sample.device(), sample.scalar_type());
    }

    private int checkTimestep(long t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside [0, " + betas.length + ")");
        }
        return (int) t;
    }

    /**
     * {@code torch.linspace(start, end, n, dtype=float32)} as libtorch's AVX2 CPU kernel (the one behind the
     * reference data) rounds it: below the halfway index a vector starts at start + step·i, above it at
     * end − step·(n−1−i), each a fused multiply-add; the other lanes add j·step to that start, again fused;
     * the elements after the last whole pair of vectors are computed one by one from the same formulas.
     * A plain start + i·step differs from it in the last bit for about a quarter of the elements.
     */
    static float[] torchLinspaceFloat32(double start, double end, int n) {
        float[] out = new float[n];
        float s = (float) start;
        float e = (float) end;
        if (n == 1) {
            out[0] = s;
            return out;
        }
        float step = (e - s) / (float) (n - 1);
        int halfway = n / 2;
        int vectorized = n - n % (2 * LANES);
        for (int i = 0; i < vectorized; i += LANES) {
            float base = linspaceElement(s, e, step, halfway, n, i);
            out[i] = base;
            for (int j = 1; j < LANES; j++) out[i + j] = Math.fma((float) j, step, base);
        }
        for (int i = vectorized; i < n; i++) out[i] = linspaceElement(s, e, step, halfway, n, i);
        return out;
    }

    private static float linspaceElement(float start, float end, float step, int halfway, int n, int i) {
        return i < halfway ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (n - 1 - i), end);
    }
}
