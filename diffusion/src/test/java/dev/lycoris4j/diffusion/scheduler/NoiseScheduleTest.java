package dev.lycoris4j.diffusion.scheduler;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static dev.lycoris4j.diffusion.scheduler.SchedulerGoldenData.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class NoiseScheduleTest {
    private static final NoiseSchedule SD = NoiseSchedule.of(SchedulerConfig.stableDiffusion());

    /** Golden betas/alphas_cumprod are torch's float32 results; ours must be the same bits. */
    @Test
    void scaledLinearScheduleMatchesTorchBitForBit() throws IOException {
        try (SafetensorsFile golden = SafetensorsFile.open(Golden.path(SchedulerGoldenData.TENSORS));
             PointerScope scope = new PointerScope()) {
            assertThat(SD.betas()).containsExactly(Tensors.toFloats(golden.tensor("betas")));
            assertThat(SD.alphasCumprod()).containsExactly(Tensors.toFloats(golden.tensor("alphas_cumprod")));
        }
    }

    @Test
    void linearScheduleRunsFromBetaStartToBetaEnd() {
        SchedulerConfig config = new SchedulerConfig(3, 0.1, 0.3, BetaSchedule.LINEAR, PredictionType.EPSILON,
                true, 0, null, false, 1.0, false);
        float[] betas = NoiseSchedule.of(config).betas();
        assertThat(betas[0]).isEqualTo(0.1f);
        assertThat(betas[2]).isEqualTo(0.3f);
        assertThat((double) betas[1]).isCloseTo(0.2, within(1e-7));
        float[] alphasCumprod = NoiseSchedule.of(config).alphasCumprod();
        assertThat((double) alphasCumprod[2]).isCloseTo(0.9 * 0.8 * 0.7, within(1e-7));
    }

    /** For lengths with a scalar tail the elements stay within an ulp or two of start + i·step and hit both ends. */
    @Test
    void float32LinspaceEndsExactlyAndStaysOnTheLine() {
        for (int n : new int[] {2, 7, 16, 37, 1000, 1001}) {
            float[] x = NoiseSchedule.torchLinspaceFloat32(0.5, 2.5, n);
            assertThat(x[0]).isEqualTo(0.5f);
            assertThat(x[n - 1]).isEqualTo(2.5f);
            for (int i = 0; i < n; i++) {
                double exact = 0.5 + 2.0 * i / (n - 1);
                assertThat((double) x[i]).as("n=%d i=%d", n, i).isCloseTo(exact, within(2.0 * Math.ulp(2.5f)));
            }
        }
    }

    @Test
    void sigmasAreTheVarianceExplodingNoiseLevels() {
        float[] sigmas = SD.sigmas();
        float[] alphasCumprod = SD.alphasCumprod();
        for (int t : new int[] {0, 500, 999}) {
            double a = alphasCumprod[t];
            assertThat((double) sigmas[t]).isCloseTo(Math.sqrt((1 - a) / a), within(1e-6 * sigmas[t]));
        }
    }

    @Test
    void addNoiseAndVelocityMatchDiffusers() throws IOException {
        try (SafetensorsFile golden = SafetensorsFile.open(Golden.path(SchedulerGoldenData.TENSORS));
             PointerScope scope = new PointerScope()) {
            Tensor x0 = golden.tensor("train_original_samples");
            Tensor noise = golden.tensor("train_noise");
            Tensor t = golden.tensor("train_timesteps");
            assertClose(SD.addNoise(x0, noise, t), golden.tensor("train_noisy_samples"), "train_noisy_samples");
            assertClose(SD.velocity(x0, noise, t), golden.tensor("train_velocity"), "train_velocity");
        }
    }

    @Test
    void trainingTargetsKeepTheSampleDtype() throws IOException {
        try (SafetensorsFile golden = SafetensorsFile.open(Golden.path(SchedulerGoldenData.TENSORS));
             PointerScope scope = new PointerScope()) {
            Tensor x0 = golden.load("train_original_samples", DType.F64);
            Tensor noise = golden.load("train_noise", DType.F64);
            Tensor noisy = SD.addNoise(x0, noise, golden.tensor("train_timesteps"));
            assertThat(Tensors.dtype(noisy)).isEqualTo(DType.F64);
            assertClose(noisy, golden.tensor("train_noisy_samples"), "train_noisy_samples in fp64");
        }
    }

    @Test
    void badTimestepsAreRejectedWithTheReason() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.fromFloats(new float[8], 2, 4);
            assertThatThrownBy(() -> SD.addNoise(x, x, Tensors.fromLongs(new long[] {0, 1000}, 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestep 1000");
            assertThatThrownBy(() -> SD.addNoise(x, x, Tensors.fromLongs(new long[] {0}, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape [2]");
            assertThatThrownBy(() -> SD.velocity(x, x, Tensors.fromFloats(new float[] {1, 2}, 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("integer");
            assertThatThrownBy(() -> SD.velocity(x, Tensors.fromFloats(new float[4], 2, 2),
                    Tensors.fromLongs(new long[] {0, 1}, 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noise shape");
        }
    }
}
