package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loss scaling against the unscaled path, hand-worked scale sequences and its saved state. */
class GradScalerTest {
    @TempDir
    Path dir;

    private static List<Tensor> parameters() {
        Tensor w = Tensors.fromFloats(new float[] {0.4f, -1.3f, 0.9f}, 3);
        Tensor b = Tensors.fromFloats(new float[] {0.25f, -0.6f}, 2);
        w.requires_grad_(true);
        b.requires_grad_(true);
        return List.of(w, b);
    }

    /** A nonlinear fp32 loss that changes with the step: Σ tanh(w ⊙ x_t) + (t + 1/2)·Σ b². */
    private static Tensor loss(List<Tensor> p, int t) {
        Tensor x = Tensors.fromFloats(new float[] {0.3f * (t + 1), -1.1f, 0.7f + 0.2f * t}, 3);
        return p.get(0).mul(x).tanh().sum().add(p.get(1).mul(p.get(1)).sum().mul(new Scalar(t + 0.5)));
    }

    private static AdamWOptimizer adamW(List<Tensor> p) {
        return new AdamWOptimizer(List.of(new AdamWOptimizer.Group("a", p, 0.1)), OptimizerConfig.torchDefaults(0.1));
    }

    private static List<float[]> values(List<Tensor> p) {
        List<float[]> out = new ArrayList<>();
        for (Tensor t : p) out.add(Tensors.toFloats(t));
        return out;
    }

    /** One training step as the trainer takes it, with clipping at 0.5 so that clipping acts. */
    private static boolean step(GradScaler scaler, AdamWOptimizer opt, List<Tensor> p, Tensor loss) {
        opt.zeroGrad();
        scaler.scale(loss).backward();
        scaler.unscale(p);
        opt.clipGradients(0.5);
        boolean stepped = scaler.step(opt::step);
        scaler.update();
        return stepped;
    }

    @Test
    void withoutOverflowTheUpdatesEqualTheUnscaledFp32Path() {
        List<Tensor> plain = parameters();
        AdamWOptimizer plainOpt = adamW(plain);
        List<Tensor> scaled = parameters();
        AdamWOptimizer scaledOpt = adamW(scaled);
        // Growth every 2 steps, so the scale changes (1024, 2048, 4096) during the run.
        GradScaler scaler = GradScaler.of(new GradScaler.Settings(1024, 2, 0.5, 2));
        for (int t = 0; t < 5; t++) {
            plainOpt.zeroGrad();
            loss(plain, t).backward();
            plainOpt.clipGradients(0.5);
            plainOpt.step();
            assertThat(step(scaler, scaledOpt, scaled, loss(scaled, t))).isTrue();
            // Scaling by a power of two is exact in binary floating point, and every backward op is linear in the
            // incoming gradient, so the unscaled gradients, and hence the updates (and AdamW's moments, which the
            // later steps depend on), are bit for bit the fp32 ones.
            for (int i = 0; i < plain.size(); i++) {
                assertThat(values(scaled).get(i)).as("step %d, parameter %d", t + 1, i).containsExactly(values(plain).get(i));
            }
        }
        assertThat(scaler.state()).isEqualTo(new GradScaler.State(4096, 1, 0));
    }

    @Test
    void anOverflowingGradientSkipsTheStepKeepsParametersAndOptimizerStateAndHalvesTheScale() {
        List<Tensor> p = parameters();
        AdamWOptimizer opt = adamW(p);
        GradScaler scaler = GradScaler.of(GradScaler.Settings.TORCH_DEFAULTS);
        assertThat(step(scaler, opt, p, loss(p, 0))).isTrue();
        List<float[]> before = values(p);
        byte[] stateBefore = opt.saveState();

        // d/dw of Σ 3e34·w is 3e34, times the scale 65536 ≈ 2e39: beyond float32's 3.4e38, an inf gradient.
        Tensor huge = p.get(0).mul(new Scalar(3e34)).sum().add(p.get(1).sum());
        assertThat(step(scaler, opt, p, huge)).isFalse();
        for (int i = 0; i < p.size(); i++) assertThat(values(p).get(i)).containsExactly(before.get(i));
        assertThat(opt.saveState()).isEqualTo(stateBefore);
        assertThat(scaler.state()).isEqualTo(new GradScaler.State(32768, 0, 1));
        assertThat(scaler.skippedSteps()).isEqualTo(1);

        // The next finite step goes through at the halved scale.
        assertThat(step(scaler, opt, p, loss(p, 1))).isTrue();
        assertThat(values(p).getFirst()).isNotEqualTo(before.getFirst());
        assertThat(scaler.state()).isEqualTo(new GradScaler.State(32768, 1, 1));
    }

    @Test
    void theScaleFollowsTheHandWorkedSequence() {
        Tensor w = Tensors.fromFloats(new float[] {1, 2}, 2);
        w.requires_grad_(true);
        GradScaler scaler = GradScaler.of(new GradScaler.Settings(16, 2, 0.5, 2));
        // good steps count up to the interval of 2, which doubles the scale and restarts the count; a NaN gradient
        // halves it and restarts the count.
        boolean[] finite = {true, true, false, true, false, false, true, true, true};
        float[] scales = {16, 32, 16, 16, 8, 4, 4, 8, 8};
        int[] trackers = {1, 0, 0, 1, 0, 0, 1, 0, 1};
        int[] optimizerSteps = {0};
        for (int t = 0; t < finite.length; t++) {
            double s = scaler.lossScale();
            // loss = Σ (1.5, −0.25) ⊙ w, whose gradient is (1.5, −0.25)
            Tensor loss = w.mul(Tensors.fromFloats(new float[] {1.5f, -0.25f}, 2)).sum();
            Tensor scaled = scaler.scale(loss);
            assertThat(scaled.item_double()).isEqualTo(loss.item_double() * s);
            scaled.backward();
            assertThat(Tensors.toFloats(w.grad())).containsExactly((float) (1.5 * s), (float) (-0.25 * s));
            if (!finite[t]) w.grad().fill_(new Scalar(Double.NaN));
            scaler.unscale(List.of(w));
            if (finite[t]) assertThat(Tensors.toFloats(w.grad())).containsExactly(1.5f, -0.25f);
            assertThat(scaler.step(() -> optimizerSteps[0]++)).isEqualTo(finite[t]);
            scaler.update();
            assertThat(scaler.state()).as("after step %d", t + 1).isEqualTo(new GradScaler.State(scales[t], trackers[t],
                    countFalse(finite, t + 1)));
            w.grad().zero_();
        }
        assertThat(optimizerSteps[0]).isEqualTo(6);
    }

    private static long countFalse(boolean[] v, int n) {
        long c = 0;
        for (int i = 0; i < n; i++) if (!v[i]) c++;
        return c;
    }

    @Test
    void aLoadedStateContinuesAsTheOriginalAndSurvivesTheTrainingStateFile() throws Exception {
        GradScaler original = GradScaler.of(new GradScaler.Settings(16, 2, 0.5, 3));
        Tensor w = Tensors.fromFloats(new float[] {1}, 1);
        w.requires_grad_(true);
        runSteps(original, w, new boolean[] {true, false, true, true});
        GradScaler.State saved = original.state();
        assertThat(saved).isEqualTo(new GradScaler.State(8, 2, 1));

        Path file = dir.resolve("state.safetensors");
        new TrainState(4, 1, 0, 7, Map.of(), Map.of("x", Tensors.fromFloats(new float[] {1}, 1)),
                torch.getDefaultCPUGenerator().get_state(), new byte[] {1, 2, 3}, saved).write(file);
        GradScaler resumed = GradScaler.of(new GradScaler.Settings(16, 2, 0.5, 3));
        resumed.load(TrainState.read(file).lossScale());
        assertThat(resumed.state()).isEqualTo(saved);

        // One more good step completes the interval of 3 in both.
        runSteps(original, w, new boolean[] {true});
        runSteps(resumed, w, new boolean[] {true});
        assertThat(resumed.state()).isEqualTo(original.state()).isEqualTo(new GradScaler.State(16, 0, 1));
    }

    private static void runSteps(GradScaler scaler, Tensor w, boolean[] finite) {
        for (boolean f : finite) {
            scaler.scale(w.sum()).backward();
            if (!f) w.grad().fill_(new Scalar(Double.POSITIVE_INFINITY));
            scaler.unscale(List.of(w));
            scaler.step(() -> {});
            scaler.update();
            w.grad().zero_();
        }
    }

    @Test
    void aDisabledScalerPassesEverythingThrough() {
        GradScaler scaler = GradScaler.disabled();
        Tensor w = Tensors.fromFloats(new float[] {2}, 1);
        w.requires_grad_(true);
        Tensor loss = w.sum();
        assertThat(scaler.scale(loss)).isSameAs(loss);
        loss.backward();
        scaler.unscale(List.of(w));
        assertThat(Tensors.toFloats(w.grad())).containsExactly(1f);
        int[] ran = {0};
        assertThat(scaler.step(() -> ran[0]++)).isTrue();
        scaler.update();
        assertThat(ran[0]).isEqualTo(1);
        assertThat(scaler.state()).isNull();
        assertThat(scaler.lossScale()).isEqualTo(1.0);
        scaler.load(null);
        assertThatThrownBy(() -> scaler.load(new GradScaler.State(8, 0, 0))).hasMessageContaining("does not use fp16");
        assertThatThrownBy(() -> GradScaler.of(GradScaler.Settings.TORCH_DEFAULTS).load(null)).hasMessageContaining("no loss scale");
    }

    @Test
    void stepsMustComeInOrder() {
        GradScaler scaler = GradScaler.of(GradScaler.Settings.TORCH_DEFAULTS);
        Tensor w = Tensors.fromFloats(new float[] {2}, 1);
        w.requires_grad_(true);
        assertThatThrownBy(() -> scaler.unscale(List.of(w))).hasMessageContaining("no loss was scaled");
        scaler.scale(w.sum()).backward();
        assertThatThrownBy(() -> scaler.step(() -> {})).hasMessageContaining("unscale() the gradients before step()");
        scaler.unscale(List.of(w));
        assertThatThrownBy(() -> scaler.unscale(List.of(w))).hasMessageContaining("already");
        assertThatThrownBy(scaler::update).hasMessageContaining("step() must come before update()");
        scaler.step(() -> {});
        scaler.update();
        assertThatThrownBy(() -> new GradScaler.Settings(1024, 0.5, 0.5, 10)).hasMessageContaining("growth factor");
    }
}
