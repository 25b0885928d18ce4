package dev.lycoris4j.diffusion.scheduler;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;

/**
 * Checks and float32-scalar arithmetic shared by the samplers. Scalars are float32 values computed in Java
 * exactly as diffusers computes them on 0-dim float32 tensors; each product or quotient below is its own
 * tensor op, as in the Python expressions, so rounding matches op for op (a fused add-with-alpha would not).
 */
final class StepMath {
    private StepMath() {}

    static void requireStepCount(int steps, int numTrainTimesteps) {
        if (steps < 1 || steps > numTrainTimesteps) {
            throw new IllegalArgumentException("number of inference steps " + steps + " is outside [1, "
                    + numTrainTimesteps + "] (num_train_timesteps)");
        }
    }

    static void requirePrepared(boolean prepared) {
        if (!prepared) throw new IllegalStateException("call setTimesteps before sampling");
    }

    /** The integer timesteps of a prepared scheduler as the model-facing float array (a copy). */
    static float[] timestepsAsFloats(long[] timesteps) {
        requirePrepared(timesteps != null);
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) out[i] = timesteps[i];
        return out;
    }

    static void requireStepIndex(int count, int stepIndex) {
        if (stepIndex < 0 || stepIndex >= count) {
            throw new IllegalArgumentException("step index " + stepIndex + " is outside [0, " + count + ")");
        }
    }

    static void requireSameShape(Tensor modelOutput, Tensor sample) {
        if (!Arrays.equals(Tensors.shape(modelOutput), Tensors.shape(sample))) {
            throw new IllegalArgumentException("model output shape " + Tensors.shapeString(modelOutput)
                    + " differs from sample shape " + Tensors.shapeString(sample));
        }
        if (!modelOutput.is_floating_point() || !sample.is_floating_point()) {
            throw new IllegalArgumentException("model output and sample must be floating point, got "
                    + Tensors.dtype(modelOutput) + " and " + Tensors.dtype(sample));
        }
    }

    /** Half-precision inputs are stepped in float32 (as diffusers' Euler and DPM-Solver do); fp32/fp64 stay. */
    static Tensor forCompute(Tensor t) {
        DType d = Tensors.dtype(t);
        return d == DType.F16 || d == DType.BF16 ? Tensors.to(t, DType.F32) : t;
    }

    /** Results go back to the model output's dtype, as diffusers' {@code prev_sample.to(model_output.dtype)}. */
    static Tensor asDtypeOf(Tensor t, Tensor reference) {
        return Tensors.to(t, Tensors.dtype(reference));
    }

    static Tensor times(Tensor t, float c) {
        return t.mul(new Scalar(c));
    }

    static Tensor over(Tensor t, float c) {
        return t.div(new Scalar(c));
    }

    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }
}
