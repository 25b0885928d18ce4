package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The 8-bit AdamW against libtorch's AdamW (two code paths), on a least-squares problem, through save and load, and
 * its memory counted from its state tensors.
 */
class AdamW8bitOptimizerTest {
    private static final OptimizerConfig CONFIG = new OptimizerConfig(1e-2, 5e-3, 0.1, 0.9, 0.999, 1e-8, 0)
            .withType(OptimizerConfig.Type.ADAMW_8BIT);
    /** Every tensor below the threshold: the 8-bit optimizer keeps 32-bit moments throughout. */
    private static final OptimizerConfig ALL_32_BIT = CONFIG.withMin8bitSize(Long.MAX_VALUE);

    @BeforeAll
    static void oneThread() {
        // These tensors are too small to gain from libtorch's threads, which cost more than they save on a busy machine.
        torch.set_num_threads(1);
    }

    /**
     * Least squares: rows of X [256, 96] map through W [64, 96] (6,144 values: quantised, 24 blocks) plus b [64] (32-bit)
     * onto Y from a hidden W*, b* with a little noise; loss = mean of squared residuals.
     */
    private static final class Problem {
        final Tensor x;
        final Tensor y;
        final Tensor w;
        final Tensor b;

        Problem() {
            GeneratorOptional rng = new GeneratorOptional(torch.make_generator_cpu(11));
            TensorOptions f32 = new TensorOptions(torch.ScalarType.Float);
            x = torch.randn(new long[] {256, 96}, rng, f32);
            Tensor wStar = torch.randn(new long[] {64, 96}, rng, f32).mul(new Scalar(0.2));
            Tensor bStar = torch.randn(new long[] {64}, rng, f32);
            y = x.matmul(wStar.t()).add(bStar).add(torch.randn(new long[] {256, 64}, rng, f32).mul(new Scalar(0.01)));
            w = torch.randn(new long[] {64, 96}, rng, f32).mul(new Scalar(0.05)).requires_grad_(true);
            b = torch.zeros(new long[] {64}, f32).requires_grad_(true);
        }

        /** A copy of this problem's parameters in their current state. */
        Problem copy() {
            Problem p = new Problem();
            try (NoGrad ignored = new NoGrad()) {
                p.w.copy_(w);
                p.b.copy_(b);
            }
            return p;
        }

        List<Optimizer.Group> groups() {
            return List.of(new Optimizer.Group("weight", List.of(w), 3e-2), new Optimizer.Group("bias", List.of(b), 2e-2));
        }

        double loss() {
            try (NoGrad ignored = new NoGrad()) {
                return forward().item_double();
            }
        }

        Tensor forward() {
            return x.matmul(w.t()).add(b).sub(y).pow(new Scalar(2)).mean();
        }

        /** One step of {@code opt} at learning-rate factor {@code factor}. */
        void step(Optimizer opt, double factor) {
            opt.zeroGrad();
            forward().backward();
            opt.setLearningRateFactor(factor);
            opt.step();
        }

        void steps(Optimizer opt, int from, int to) {
            // a warm-up then constant schedule, so the factor changes between steps
            for (int t = from; t < to; t++) step(opt, Math.min(1.0, (t + 1) / 10.0));
        }
    }

    private static double norm(Tensor t) {
        return Math.sqrt(t.to(torch.ScalarType.Double).pow(new Scalar(2)).sum().item_double());
    }

    @Test
    void withEveryTensorAt32BitsItComputesWhatLibtorchsAdamWDoesBitForBit() {
        Problem a = new Problem();
        Problem b = a.copy();
        AdamWOptimizer native32 = new AdamWOptimizer(a.groups(), CONFIG);
        AdamW8bitOptimizer ours = new AdamW8bitOptimizer(b.groups(), ALL_32_BIT);
        assertThat(ours.quantisedTensors()).isZero();
        for (int t = 0; t < 20; t++) {
            a.step(native32, 0.5 + t / 40.0);
            b.step(ours, 0.5 + t / 40.0);
        }
        assertThat(ours.learningRate(0)).isEqualTo(native32.learningRate(0));
        assertThat(ours.learningRate(1)).isEqualTo(native32.learningRate(1));
        assertThat(Tensors.maxAbsDiff(a.w, b.w)).isZero();
        assertThat(Tensors.maxAbsDiff(a.b, b.b)).isZero();
        assertThat(ours.stateBytes()).isEqualTo(native32.stateBytes()).isEqualTo(8L * (64 * 96 + 64));
    }

    @Test
    void eightBitMomentsTrackFp32AdamWOverAHundredSteps() {
        Problem exact = new Problem();
        Problem quantised = exact.copy();
        Tensor w0 = exact.w.detach().clone();
        double initialLoss = exact.loss();
        AdamWOptimizer fp32 = new AdamWOptimizer(exact.groups(), CONFIG);
        AdamW8bitOptimizer int8 = new AdamW8bitOptimizer(quantised.groups(), CONFIG);
        // W (6,144 values) is quantised; b (64 values, under min_8bit_size) keeps 32-bit moments
        assertThat(int8.quantisedTensors()).isEqualTo(1);
        exact.steps(fp32, 0, 100);
        quantised.steps(int8, 0, 100);

        double moved = norm(exact.w.sub(w0));
        double apart = norm(exact.w.sub(quantised.w));
        assertThat(apart / moved).as("|W8 - W32| / |W32 - W0|").isLessThan(0.01);
        assertThat(exact.loss()).isLessThan(initialLoss * 0.05);
        assertThat(quantised.loss()).isLessThan(initialLoss * 0.05);
        assertThat(Math.abs(quantised.loss() - exact.loss()) / exact.loss()).isLessThan(0.01);
    }

    @Test
    void aStateSavedAtStepKAndLoadedIntoAFreshOptimizerContinuesBitForBit() {
        Problem straight = new Problem();
        Problem resumed = straight.copy();
        AdamW8bitOptimizer uninterrupted = new AdamW8bitOptimizer(straight.groups(), CONFIG);
        straight.steps(uninterrupted, 0, 30);

        AdamW8bitOptimizer first = new AdamW8bitOptimizer(resumed.groups(), CONFIG);
        resumed.steps(first, 0, 12);
        byte[] state = first.saveState();
        Problem continued = resumed.copy();
        AdamW8bitOptimizer fresh = new AdamW8bitOptimizer(continued.groups(), CONFIG);
        fresh.loadState(state);
        continued.steps(fresh, 12, 30);

        assertThat(Tensors.toFloats(continued.w)).isEqualTo(Tensors.toFloats(straight.w));
        assertThat(Tensors.toFloats(continued.b)).isEqualTo(Tensors.toFloats(straight.b));
        assertThat(fresh.saveState()).isEqualTo(uninterrupted.saveState());
    }

    @Test
    void aStateLoadsOnlyIntoTheSameParameters() {
        Problem p = new Problem();
        AdamW8bitOptimizer opt = new AdamW8bitOptimizer(p.groups(), CONFIG);
        p.steps(opt, 0, 2);
        byte[] state = opt.saveState();

        Problem q = new Problem();
        // the groups swapped: parameter 0 is now the bias, whose moments are 32-bit
        AdamW8bitOptimizer swapped = new AdamW8bitOptimizer(List.of(new Optimizer.Group("bias", List.of(q.b), 1e-2),
                new Optimizer.Group("weight", List.of(q.w), 1e-2)), CONFIG);
        assertThatThrownBy(() -> swapped.loadState(state)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("saved for other parameters");

        AdamWOptimizer adamW = new AdamWOptimizer(q.groups(), CONFIG);
        q.steps(adamW, 0, 1);
        AdamW8bitOptimizer other = new AdamW8bitOptimizer(q.groups(), CONFIG);
        assertThatThrownBy(() -> other.loadState(adamW.saveState())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an AdamW8bit state");
    }

    @Test
    void zeroGradDropsTheGradients() {
        Problem p = new Problem();
        AdamW8bitOptimizer opt = new AdamW8bitOptimizer(p.groups(), CONFIG);
        p.forward().backward();
        assertThat(p.w.grad().defined()).isTrue();
        opt.zeroGrad();
        assertThat(p.w.grad().defined()).isFalse();
        assertThat(p.b.grad().defined()).isFalse();
    }

    @Test
    void eightBitStateOfALargeTensorIsAQuarterOfAdamWs() {
        // 1024 × 1024 values: 2 bytes of codes each plus two fp32 absmaxes per 256-value block, against 2 × 4 bytes
        Tensor big = torch.zeros(new long[] {1024, 1024}, new TensorOptions(torch.ScalarType.Float)).requires_grad_(true);
        Tensor small = torch.zeros(new long[] {4095}, new TensorOptions(torch.ScalarType.Float)).requires_grad_(true);
        List<Optimizer.Group> bigOnly = List.of(new Optimizer.Group("big", List.of(big), 1e-3));
        long eightBit = new AdamW8bitOptimizer(bigOnly, CONFIG).stateBytes();
        long thirtyTwoBit = new AdamWOptimizer(bigOnly, CONFIG).stateBytes();
        assertThat(eightBit).isEqualTo(2L * 1024 * 1024 + 2L * 4 * (1024 * 1024 / 256));
        assertThat(thirtyTwoBit).isEqualTo(8L * 1024 * 1024);
        assertThat(new AdamW8bitOptimizer(bigOnly, ALL_32_BIT).stateBytes()).isEqualTo(thirtyTwoBit);
        assertThat((double) eightBit / thirtyTwoBit).isLessThanOrEqualTo(0.27);

        // the rule the estimate uses is what the optimizer allocates, on both sides of the 4096-value threshold
        List<Optimizer.Group> both = List.of(new Optimizer.Group("g", List.of(big, small), 1e-3));
        AdamW8bitOptimizer mixed = new AdamW8bitOptimizer(both, CONFIG);
        assertThat(mixed.quantisedTensors()).isEqualTo(1);
        assertThat(mixed.stateBytes()).isEqualTo(AdamW8bitOptimizer.stateBytes(1024 * 1024, AdamW8bitOptimizer.MIN_8BIT_SIZE)
                + AdamW8bitOptimizer.stateBytes(4095, AdamW8bitOptimizer.MIN_8BIT_SIZE));
        assertThat(AdamW8bitOptimizer.stateBytes(4095, AdamW8bitOptimizer.MIN_8BIT_SIZE)).isEqualTo(8L * 4095);
        // bitsandbytes keeps tensors under 4096 values at 32 bits whatever min_8bit_size says
        assertThat(new AdamW8bitOptimizer(List.of(new Optimizer.Group("g", List.of(small), 1e-3)), CONFIG.withMin8bitSize(16))
                .quantisedTensors()).isZero();
    }

    @Test
    void aPartialLastBlockTrainsLikeTheRest() {
        // 4,100 values: 16 full blocks and one of 4; the optimizer steps it without touching values past the end
        Tensor p = torch.ones(new long[] {41, 100}, new TensorOptions(torch.ScalarType.Float)).requires_grad_(true);
        AdamW8bitOptimizer opt = new AdamW8bitOptimizer(List.of(new Optimizer.Group("p", List.of(p), 0.1)), CONFIG);
        List<Double> losses = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            opt.zeroGrad();
            Tensor loss = p.pow(new Scalar(2)).sum();
            losses.add(loss.item_double());
            loss.backward();
            opt.step();
        }
        assertThat(losses.getLast()).isLessThan(losses.getFirst() * 0.2);
        // 17 blocks: 2 bytes of codes for each of their 4,352 places and two fp32 absmaxes each
        assertThat(opt.stateBytes()).isEqualTo(2 * 17 * 256 + 2 * 4 * 17);
        float[] v = Tensors.toFloats(p);
        // every value saw the same gradients, so every value, the last four included, is the same
        for (float x : v) assertThat(x).isEqualTo(v[0]);
    }

    @Test
    void tensorsUpdatedTogetherMatchTensorByTensorIncludingOneThatMissesGradients() {
        // Three quantised tensors (5,120, 4,100 and 5,000 values) in two groups and a 32-bit one; the third gets
        // gradients on even steps only, so it takes half the steps. Updated in one run (which then falls back to
        // tensor by tensor), in runs of at most 10,000 values (the first two together throughout, the third alone),
        // and tensor by tensor: the same parameters and state, bit for bit.
        List<List<Tensor>> params = List.of(tensors(), tensors(), tensors());
        List<AdamW8bitOptimizer> opts = List.of(new AdamW8bitOptimizer(groups(params.get(0)), CONFIG),
                new AdamW8bitOptimizer(groups(params.get(1)), CONFIG, 10_000),
                new AdamW8bitOptimizer(groups(params.get(2)), CONFIG, 1));
        assertThat(opts.getFirst().quantisedTensors()).isEqualTo(3);
        for (int t = 0; t < 8; t++) {
            for (int k = 0; k < opts.size(); k++) {
                List<Tensor> ps = params.get(k);
                opts.get(k).zeroGrad();
                Tensor loss = ps.get(0).pow(new Scalar(2)).sum().add(ps.get(1).sin().sum()).add(ps.get(3).pow(new Scalar(3)).sum());
                if (t % 2 == 0) loss = loss.add(ps.get(2).cos().sum());
                loss.backward();
                opts.get(k).step();
            }
        }
        for (int k = 1; k < opts.size(); k++) {
            for (int i = 0; i < 4; i++) {
                assertThat(Tensors.toFloats(params.get(k).get(i))).as("run %d tensor %d", k, i).isEqualTo(Tensors.toFloats(params.get(0).get(i)));
            }
            assertThat(opts.get(k).saveState()).isEqualTo(opts.getFirst().saveState());
        }
        // parameters in group order: the first and the 32-bit tensor, then the second and the third, which took 4 steps
        long[] steps = new long[4];
        OptimizerArchive.read(opts.getFirst().saveState(), archive -> {
            Tensor t = new Tensor();
            archive.read("steps", t);
            System.arraycopy(Tensors.toLongs(t), 0, steps, 0, 4);
        });
        assertThat(steps).containsExactly(8, 8, 8, 4);
    }

    private static List<Tensor> tensors() {
        GeneratorOptional rng = new GeneratorOptional(torch.make_generator_cpu(5));
        TensorOptions f32 = new TensorOptions(torch.ScalarType.Float);
        List<Tensor> out = new ArrayList<>();
        for (long[] shape : List.of(new long[] {64, 80}, new long[] {4100}, new long[] {50, 100}, new long[] {30})) {
            out.add(torch.randn(shape, rng, f32).requires_grad_(true));
        }
        return out;
    }

    private static List<Optimizer.Group> groups(List<Tensor> t) {
        return List.of(new Optimizer.Group("a", List.of(t.get(0), t.get(3)), 1e-2), new Optimizer.Group("b", List.of(t.get(1), t.get(2)), 3e-2));
    }
}
