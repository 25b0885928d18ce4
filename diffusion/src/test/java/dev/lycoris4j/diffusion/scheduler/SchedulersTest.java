package dev.lycoris4j.diffusion.scheduler;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Random;

import static dev.lycoris4j.diffusion.scheduler.SchedulerGoldenData.asDoubles;
import static dev.lycoris4j.diffusion.scheduler.SchedulerGoldenData.goldenTimesteps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

/** The factory, class-default spacings, hand-worked grids and the samplers' input checks. */
class SchedulersTest {
    private static final List<String> NAMES = Schedulers.NAMES;

    /** Without timestep_spacing each class uses its own default: DDIM leading, Euler and DPM-Solver linspace. */
    @ParameterizedTest
    @CsvSource({"ddim, ddim", "euler, euler", "dpmpp-2m, dpmpp2m", "dpmpp-2m-karras, dpmpp2m_karras"})
    void configWithoutSpacingUsesTheClassDefault(String name, String variant) {
        SchedulerConfig config = SchedulerConfig.fromJson(SchedulerGoldenData.json().get("config"), "config");
        assertThat(config.timestepSpacing()).isNull();
        Scheduler s = Schedulers.create(name, config);
        s.setTimesteps(5);
        assertThat(asDoubles(s.timesteps())).containsExactly(goldenTimesteps(variant, 5));
    }

    /** from_config of the SD pipeline's own config: its 'leading' spacing carries over to every sampler. */
    @ParameterizedTest
    @CsvSource({"ddim, ddim", "euler, euler_leading", "dpmpp-2m, dpmpp2m_leading"})
    void pipelineConfigCarriesLeadingSpacing(String name, String variant) {
        Scheduler s = Schedulers.create(name, SchedulerConfig.stableDiffusion());
        s.setTimesteps(25);
        assertThat(asDoubles(s.timesteps())).containsExactly(goldenTimesteps(variant, 25));
    }

    @Test
    void handWorkedGrids() {
        SchedulerConfig sd = SchedulerConfig.stableDiffusion();
        // round(linspace(0, 999, 5)) = round(0, 249.75, 499.5, 749.25, 999); 499.5 rounds to even
        Scheduler ddimLinspace = new DdimScheduler(withSpacing(sd, TimestepSpacing.LINSPACE));
        ddimLinspace.setTimesteps(5);
        assertThat(ddimLinspace.timesteps()).containsExactly(999f, 749f, 500f, 250f, 0f);
        // trailing: 1000 − 200·i − 1
        for (Scheduler s : List.of(new EulerDiscreteScheduler(withSpacing(sd, TimestepSpacing.TRAILING)),
                new DpmSolverMultistepScheduler(withSpacing(sd, TimestepSpacing.TRAILING)))) {
            s.setTimesteps(5);
            assertThat(s.timesteps()).containsExactly(999f, 799f, 599f, 399f, 199f);
        }
    }

    /** numpy's arange gives 62 entries for 61 trailing steps (the last is −1); we keep 61 valid timesteps. */
    @Test
    void trailingGridHasExactlyTheRequestedSteps() {
        Scheduler s = new DdimScheduler(withSpacing(SchedulerConfig.stableDiffusion(), TimestepSpacing.TRAILING));
        s.setTimesteps(61);
        float[] t = s.timesteps();
        assertThat(t).hasSize(61);
        assertThat(t[0]).isEqualTo(999f);
        for (int i = 1; i < t.length; i++) assertThat(t[i]).isLessThan(t[i - 1]).isGreaterThanOrEqualTo(0f);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> Schedulers.create("pndm", SchedulerConfig.stableDiffusion()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pndm").hasMessageContaining("dpmpp-2m-karras");
    }

    @Test
    void eulerRejectsKarrasSigmas() {
        SchedulerConfig karras = SchedulerConfig.stableDiffusion().withUseKarrasSigmas(true);
        assertThatThrownBy(() -> Schedulers.create("euler", karras))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use_karras_sigmas");
    }

    @ParameterizedTest
    @FieldSource("NAMES")
    void misuseFailsWithAClearMessage(String name) {
        Scheduler s = Schedulers.create(name, SchedulerConfig.stableDiffusion());
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.fromFloats(new float[8], 1, 2, 2, 2);
            assertThatThrownBy(() -> s.step(x, 0, x)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("setTimesteps");
            assertThatThrownBy(() -> s.setTimesteps(0)).hasMessageContaining("steps 0");
            assertThatThrownBy(() -> s.setTimesteps(1001)).hasMessageContaining("1001");
            s.setTimesteps(4);
            assertThatThrownBy(() -> s.step(x, 4, x)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("step index 4");
            assertThatThrownBy(() -> s.scaleModelInput(x, -1)).hasMessageContaining("step index -1");
            Tensor other = Tensors.fromFloats(new float[4], 1, 1, 2, 2);
            assertThatThrownBy(() -> s.step(other, 0, x)).hasMessageContaining("[1, 1, 2, 2]");
        }
    }

    @Test
    void multistepSolverRefusesSkippedSteps() {
        Scheduler s = Schedulers.create("dpmpp-2m", SchedulerConfig.stableDiffusion());
        s.setTimesteps(4);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.fromFloats(new float[] {1, -1, 0.5f, 2}, 1, 1, 2, 2);
            s.step(x, 0, x);
            assertThatThrownBy(() -> s.step(x, 2, x)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("expected step index 1");
        }
    }

    /** Half-precision inputs are stepped in float32 and come back in the model output's dtype. */
    @ParameterizedTest
    @FieldSource("NAMES")
    void halfPrecisionInputsStayHalf(String name) {
        Scheduler s = Schedulers.create(name, SchedulerConfig.stableDiffusion());
        s.setTimesteps(3);
        Random random = new Random(7);
        float[] xs = new float[16];
        float[] es = new float[16];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) random.nextGaussian();
            es[i] = (float) random.nextGaussian();
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.fromFloats(xs, 1, 4, 2, 2);
            Tensor eps = Tensors.fromFloats(es, 1, 4, 2, 2);
            float[] full = Tensors.toFloats(s.step(eps, 0, x).prevSample());
            Tensor half = s.step(Tensors.to(eps, DType.F16), 0, Tensors.to(x, DType.F16)).prevSample();
            assertThat(Tensors.dtype(half)).isEqualTo(DType.F16);
            float[] halfValues = Tensors.toFloats(half);
            // fp16 rounding of inputs and result: a few parts in 1e3 of the values' scale
            for (int i = 0; i < full.length; i++) {
                assertThat(halfValues[i]).isCloseTo(full[i], offset(0.01f * (1 + Math.abs(full[i]))));
            }
        }
    }

    @Test
    void classifierFreeGuidanceExtrapolatesFromUncond() {
        try (PointerScope scope = new PointerScope()) {
            Tensor uncond = Tensors.fromFloats(new float[] {1, 2, -1}, 3);
            Tensor cond = Tensors.fromFloats(new float[] {3, 6, -1}, 3);
            // 1 + 7.5·2 = 16, 2 + 7.5·4 = 32, −1 + 7.5·0 = −1
            assertThat(Tensors.toFloats(Guidance.classifierFree(uncond, cond, 7.5))).containsExactly(16f, 32f, -1f);
            assertThat(Tensors.toFloats(Guidance.classifierFree(uncond, cond, 1.0))).containsExactly(3f, 6f, -1f);
        }
    }

    private static SchedulerConfig withSpacing(SchedulerConfig c, TimestepSpacing spacing) {
        return new SchedulerConfig(c.numTrainTimesteps(), c.betaStart(), c.betaEnd(), c.betaSchedule(),
                c.predictionType(), c.setAlphaToOne(), c.stepsOffset(), spacing, c.clipSample(),
                c.clipSampleRange(), c.useKarrasSigmas());
    }
}
