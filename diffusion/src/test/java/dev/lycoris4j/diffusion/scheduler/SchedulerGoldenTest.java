package dev.lycoris4j.diffusion.scheduler;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.List;

import static dev.lycoris4j.diffusion.scheduler.SchedulerGoldenData.asDoubles;
import static dev.lycoris4j.diffusion.scheduler.SchedulerGoldenData.assertClose;
import static dev.lycoris4j.diffusion.scheduler.SchedulerGoldenData.goldenTimesteps;
import static org.assertj.core.api.Assertions.assertThat;

/** Golden case 5_schedulers: every variant's timesteps, σ tables, init_noise_sigma and 5-step trajectory. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulerGoldenTest {
    private static final int TRAJECTORY_STEPS = 5;
    private static final List<String> VARIANTS = SchedulerGoldenData.VARIANTS;

    private SafetensorsFile golden;

    @BeforeAll
    void open() throws IOException {
        golden = SafetensorsFile.open(Golden.path(SchedulerGoldenData.TENSORS));
    }

    @AfterAll
    void close() {
        golden.close();
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void timestepsMatchExactly(String variant) {
        Scheduler scheduler = SchedulerGoldenData.create(variant);
        for (int steps : new int[] {5, 25, 50}) {
            scheduler.setTimesteps(steps);
            assertThat(asDoubles(scheduler.timesteps())).as(variant + "_" + steps)
                    .containsExactly(goldenTimesteps(variant, steps));
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void initNoiseSigmaMatchesExactly(String variant) {
        Scheduler scheduler = SchedulerGoldenData.create(variant);
        scheduler.setTimesteps(TRAJECTORY_STEPS);
        double expected = SchedulerGoldenData.json().get("init_noise_sigma").get(variant).doubleValue();
        assertThat((double) scheduler.initNoiseSigma()).as(variant).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"euler", "euler_leading", "dpmpp2m", "dpmpp2m_leading", "dpmpp2m_karras"})
    void sigmaTablesMatch(String variant) throws IOException {
        Scheduler scheduler = SchedulerGoldenData.create(variant);
        for (int steps : new int[] {5, 25}) {
            scheduler.setTimesteps(steps);
            float[] sigmas = scheduler instanceof EulerDiscreteScheduler e
                    ? e.sigmas() : ((DpmSolverMultistepScheduler) scheduler).sigmas();
            String name = variant + "_" + steps + "_sigmas";
            try (PointerScope scope = new PointerScope()) {
                assertClose(asDoubles(sigmas), Tensors.toDoubles(golden.tensor(name)), name);
            }
            assertThat(sigmas[steps]).as(name + " final").isZero();
        }
    }

    @ParameterizedTest
    @FieldSource("VARIANTS")
    void fiveStepTrajectoryMatches(String variant) throws IOException {
        Scheduler scheduler = SchedulerGoldenData.create(variant);
        scheduler.setTimesteps(TRAJECTORY_STEPS);
        runTrajectory(scheduler, variant);
    }

    /** DPM-Solver++ carries the previous x̂₀; a second generation, with or without setTimesteps, must not see it. */
    @Test
    void multistepStateResetsForEachGeneration() throws IOException {
        Scheduler scheduler = SchedulerGoldenData.create("dpmpp2m");
        scheduler.setTimesteps(TRAJECTORY_STEPS);
        runTrajectory(scheduler, "dpmpp2m");
        runTrajectory(scheduler, "dpmpp2m");
        try (PointerScope scope = new PointerScope()) {
            // An interrupted generation, then a fresh one from step 0.
            Tensor x = golden.tensor("dpmpp2m_x_init");
            Tensor outputs = golden.tensor("model_outputs");
            scheduler.step(outputs.select(0, 0), 0, x);
            scheduler.step(outputs.select(0, 3), 1, x);
        }
        runTrajectory(scheduler, "dpmpp2m");
        scheduler.setTimesteps(25);
        scheduler.setTimesteps(TRAJECTORY_STEPS);
        runTrajectory(scheduler, "dpmpp2m");
    }

    /**
     * The DPM-Solver++ data prediction of the first step, x̂₀ = (x − σ_vp·ε)/α with α = 1/√(σ²+1), σ_vp = σ·α,
     * worked in float64 from the golden input, model output and σ.
     */
    @Test
    void dpmSolverReturnsItsDataPrediction() throws IOException {
        DpmSolverMultistepScheduler scheduler =
                (DpmSolverMultistepScheduler) SchedulerGoldenData.create("dpmpp2m");
        scheduler.setTimesteps(TRAJECTORY_STEPS);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = golden.tensor("dpmpp2m_x_init");
            Tensor eps = golden.tensor("model_outputs").select(0, 0);
            double sigma = Tensors.toDoubles(golden.tensor("dpmpp2m_5_sigmas"))[0];
            double alpha = 1 / Math.sqrt(sigma * sigma + 1);
            double[] xs = Tensors.toDoubles(x);
            double[] es = Tensors.toDoubles(eps);
            double[] expected = new double[xs.length];
            for (int i = 0; i < xs.length; i++) expected[i] = (xs[i] - sigma * alpha * es[i]) / alpha;
            StepResult r = scheduler.step(eps, 0, x);
            assertClose(Tensors.toDoubles(r.predOriginalSample()), expected, "dpmpp2m step0 x0");
        }
    }

    /**
     * Feeds the golden model outputs through our own trajectory, each step in its own PointerScope as a
     * pipeline runs it, and compares every intermediate with the golden one.
     */
    private void runTrajectory(Scheduler scheduler, String variant) throws IOException {
        float sigma0 = scheduler.initNoiseSigma();
        Tensor outputs = golden.tensor("model_outputs");
        Tensor x = golden.tensor("sample0").mul(new Scalar(sigma0));
        assertClose(x, golden.tensor(variant + "_x_init"), variant + "_x_init");
        for (int i = 0; i < TRAJECTORY_STEPS; i++) {
            String prefix = variant + "_step" + i;
            try (PointerScope scope = new PointerScope()) {
                assertClose(scheduler.scaleModelInput(x, i), golden.tensor(prefix + "_model_input"),
                        prefix + "_model_input");
                StepResult r = scheduler.step(outputs.select(0, i), i, x);
                assertClose(r.prevSample(), golden.tensor(prefix + "_prev_sample"), prefix + "_prev_sample");
                assertThat(r.predOriginalSample()).as(prefix + " x0").isNotNull();
                if (golden.contains(prefix + "_pred_original_sample")) {
                    assertClose(r.predOriginalSample(), golden.tensor(prefix + "_pred_original_sample"),
                            prefix + "_pred_original_sample");
                }
                Tensor next = r.prevSample().retainReference(); // outlives this step's scope
                x.close();
                x = next;
            }
        }
        x.close();
    }
}
