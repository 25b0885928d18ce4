package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Gradients with and without checkpointing, on fp64 models built from the same seed: the recomputation repeats the
 * forward's ops exactly, so they agree to the last bit or, where a gradient is summed from several paths in another
 * order, to rounding (1e-13 relative).
 */
class CheckpointTest {
    private static final Placement F64 = new Placement("cpu", DType.F64);
    private static final int DIM = 6;

    @BeforeAll
    static void oneThread() {
        // Tiny ops gain nothing from more threads; the comparison does not depend on the count.
        torch.set_num_threads(1);
    }

    /** x + b(dropout(tanh(a(x)) · mask)): a segment with parameters, an optional mask input and optional dropout. */
    static final class Block extends Module implements Checkpointable {
        final Linear a = register("a", new Linear(DIM, DIM, true, F64));
        final Linear b = register("b", new Linear(DIM, DIM, true, F64));
        final double dropout;
        boolean checkpointing;
        int calls;

        Block(double dropout) {
            this.dropout = dropout;
        }

        @Override public void setGradientCheckpointing(boolean on) {
            checkpointing = on;
        }

        Tensor forward(Tensor x, Tensor mask) {
            return checkpointing ? Checkpoint.run(this, in -> compute(in.get(0), in.get(1)), x, mask) : compute(x, mask);
        }

        private Tensor compute(Tensor x, Tensor mask) {
            calls++;
            Tensor h = torch.tanh(a.forward(x));
            if (mask != null) h = h.mul(mask);
            if (dropout > 0) h = torch.dropout(h, dropout, true);
            return b.forward(h).add(x);
        }
    }

    /** Blocks one after the other. */
    static final class Chain extends Module {
        final ModuleList<Block> blocks = register("blocks", new ModuleList<>());

        Chain(int n, double dropout) {
            for (int i = 0; i < n; i++) blocks.add(new Block(dropout));
        }

        Tensor forward(Tensor x) {
            for (Block b : blocks) x = b.forward(x, null);
            return x;
        }
    }

    /** A chain that is itself one segment around its checkpointed blocks. */
    static final class Nest extends Module implements Checkpointable {
        final Chain chain;
        boolean checkpointing;

        Nest(int n, double dropout) {
            chain = register("chain", new Chain(n, dropout));
        }

        @Override public void setGradientCheckpointing(boolean on) {
            checkpointing = on;
        }

        Tensor forward(Tensor x) {
            return checkpointing ? Checkpoint.run(this, in -> chain.forward(in.getFirst()), x) : chain.forward(x);
        }
    }

    /** The loss, every trainable tensor's gradient and the input's, read into Java inside the step. */
    record Run(double loss, Map<String, double[]> grads, int calls, double nextRandom) {}

    /**
     * Builds the model from seed 1, an input leaf x (requiring grad when {@code inputGrad}) from seed 2, reseeds the
     * generator with 3, runs {@code loss(model, x)} and its backward in one step.
     */
    private static Run run(Supplier<Module> build, boolean checkpointing, boolean inputGrad,
                           BiFunction<Module, Tensor, Tensor> loss) {
        torch.manual_seed(1);
        Module model = build.get();
        Checkpoint.enable(model, checkpointing);
        torch.manual_seed(2);
        Tensor x = torch.randn(4, DIM).to(torch.ScalarType.Double).requires_grad_(inputGrad);
        torch.manual_seed(3);
        try (StepScope step = new StepScope()) {
            Tensor l = loss.apply(model, x);
            l.backward();
            Map<String, double[]> grads = new LinkedHashMap<>();
            for (var p : trainables(model).entrySet()) {
                if (!p.getValue().requires_grad()) continue;
                Tensor g = p.getValue().grad();
                grads.put(p.getKey(), g.defined() ? Tensors.toDoubles(g) : null);
            }
            if (inputGrad) grads.put("x", Tensors.toDoubles(x.grad()));
            int calls = 0;
            for (Module m : model.namedModules().values()) if (m instanceof Block b) calls += b.calls;
            return new Run(l.item_double(), grads, calls, torch.rand(1).item_double());
        }
    }

    /** The model's parameters and the tensors forwards installed in its layers add. */
    private static Map<String, Tensor> trainables(Module model) {
        Map<String, Tensor> out = new LinkedHashMap<>(model.namedParameters());
        for (var m : model.namedModules().entrySet()) {
            if (m.getValue() instanceof AdaptableLayer layer && layer.forwardOverride() != null) {
                List<Tensor> extra = layer.forwardOverride().parameters();
                for (int i = 0; i < extra.size(); i++) out.put(m.getKey() + ".override" + i, extra.get(i));
            }
        }
        return out;
    }

    private static void assertSameGradients(Run checkpointed, Run plain) {
        assertThat(checkpointed.loss()).isEqualTo(plain.loss());
        assertThat(plain.grads()).isNotEmpty();
        assertThat(checkpointed.grads().keySet()).isEqualTo(plain.grads().keySet());
        boolean exact = true;
        for (String k : plain.grads().keySet()) {
            double[] e = plain.grads().get(k);
            double[] a = checkpointed.grads().get(k);
            if (e == null) {
                assertThat(a).as(k + " gets no gradient either way").isNull();
                continue;
            }
            assertThat(a).as(k).hasSameSizeAs(e);
            for (int i = 0; i < e.length; i++) {
                assertThat(Math.abs(a[i] - e[i])).as(k + "[" + i + "]: " + a[i] + " vs " + e[i])
                        .isLessThanOrEqualTo(1e-13 * Math.max(1, Math.abs(e[i])));
                exact &= a[i] == e[i];
            }
        }
        System.out.println("gradients with and without checkpointing: " + (exact ? "bit-identical" : "equal within 1e-13"));
        assertThat(checkpointed.nextRandom()).as("the generator goes on as without checkpointing").isEqualTo(plain.nextRandom());
    }

    /** Runs plainly and checkpointed, asserts equal loss and gradients, returns the checkpointed run. */
    private static Run both(Supplier<Module> build, boolean inputGrad, BiFunction<Module, Tensor, Tensor> loss) {
        Run plain = run(build, false, inputGrad, loss);
        Run checkpointed = run(build, true, inputGrad, loss);
        assertSameGradients(checkpointed, plain);
        return checkpointed;
    }

    private static Tensor square(Tensor y) {
        return y.mul(y).sum();
    }

    private static Tensor chainLoss(Module chain, Tensor x) {
        return square(((Chain) chain).forward(x));
    }

    @Test
    void aChainOfSegmentsGetsThePlainGradientsAndRecomputesEachOnce() {
        Run plain = run(() -> new Chain(4, 0), false, true, CheckpointTest::chainLoss);
        Run checkpointed = run(() -> new Chain(4, 0), true, true, CheckpointTest::chainLoss);
        assertSameGradients(checkpointed, plain);
        assertThat(plain.calls()).isEqualTo(4);
        assertThat(checkpointed.calls()).as("one forward and one recomputation per block").isEqualTo(8);
    }

    @Test
    void anInputAlsoUsedOutsideTheSegmentSumsBothGradients() {
        both(() -> new Block(0), true, (m, x) -> {
            Tensor h = x.mul(new Scalar(2.0)); // a non-leaf input
            Tensor y = ((Block) m).forward(h, null);
            return square(y.add(h.mul(new Scalar(3.0)))).add(h.sin().sum());
        });
    }

    @Test
    void anOutputConsumedSeveralTimesGetsTheSummedGradient() {
        Run r = both(() -> new Block(0), true, (m, x) -> {
            Tensor y = ((Block) m).forward(x, null);
            return square(y).add(y.sin().sum()).add(y.narrow(1, 0, 2).exp().sum());
        });
        assertThat(r.calls()).as("one recomputation for the three consumers together").isEqualTo(2);
    }

    @Test
    void anInputThatNeedsNoGradientIsPassedAsItIs() {
        both(() -> new Block(0), true, (m, x) -> {
            Tensor mask = torch.rand(4, DIM).to(torch.ScalarType.Double);
            return square(((Block) m).forward(x, mask));
        });
    }

    @Test
    void parametersAloneAreEnoughToCheckpoint() {
        Run r = both(() -> new Chain(3, 0), false, CheckpointTest::chainLoss);
        assertThat(r.grads()).doesNotContainKey("x");
        assertThat(r.calls()).as("checkpointed although no input requires grad").isEqualTo(6);
    }

    @Test
    void aTrainableTensorOfAnInstalledForwardIsEnoughToCheckpoint() {
        Run r = both(CheckpointTest::frozenBlockWithTrainableForward, false, (m, x) -> square(((Block) m).forward(x, null)));
        assertThat(r.grads()).containsOnlyKeys("a.override0");
        assertThat(r.calls()).isEqualTo(2);
    }

    /** A frozen block whose layer {@code a} runs a forward that adds x·delta with a trainable delta. */
    private static Module frozenBlockWithTrainableForward() {
        Block block = new Block(0);
        block.requiresGrad(false);
        Tensor delta = StepScope.keep(torch.randn(DIM, DIM).to(torch.ScalarType.Double).requires_grad_(true));
        block.a.setForwardOverride(new LayerForward() {
            @Override public Tensor forward(AdaptableLayer layer, Tensor in) {
                return layer.baseForward(in).add(in.matmul(delta));
            }

            @Override public List<Tensor> parameters() {
                return List.of(delta);
            }
        });
        return block;
    }

    @Test
    void dropoutInsideASegmentGivesTheSameGradientsThanksToTheGeneratorReplay() {
        Run r = both(() -> new Chain(3, 0.5), true, CheckpointTest::chainLoss);
        // The comparison means something only if the masks are random: another seed changes the gradients.
        torch.manual_seed(1);
        Chain other = new Chain(3, 0.5);
        Checkpoint.enable(other, true);
        torch.manual_seed(2);
        Tensor x = torch.randn(4, DIM).to(torch.ScalarType.Double).requires_grad_(true);
        torch.manual_seed(99);
        try (StepScope step = new StepScope()) {
            square(other.forward(x)).backward();
            assertThat(Tensors.toDoubles(x.grad())).isNotEqualTo(r.grads().get("x"));
        }
    }

    @Test
    void nestedSegmentsGetThePlainGradients() {
        Run r = both(() -> new Nest(3, 0.3), true, (m, x) -> square(((Nest) m).forward(x)));
        // Enabled on the nest and its blocks: forward (blocks plain under no-grad), then per recomputation of the
        // chain the blocks' forward and their own recomputation.
        assertThat(r.calls()).isEqualTo(3 + 3 + 3);
    }

    @Test
    void aSegmentWhoseOutputIsNotUsedIsNeverRecomputed() {
        Run r = both(() -> new Chain(2, 0), true, (m, x) -> {
            Chain c = (Chain) m;
            c.blocks.get(1).forward(x, null); // never reaches the loss
            return square(c.blocks.get(0).forward(x, null));
        });
        assertThat(r.calls()).isEqualTo(2 + 1);
    }

    @Test
    void gradientsAccumulateOverSeveralBackwardsInOneStep() {
        both(() -> new Chain(2, 0.2), true, (m, x) -> {
            Chain c = (Chain) m;
            square(c.forward(x)).backward();
            return square(c.forward(x.mul(new Scalar(0.5))));
        });
    }

    @Test
    void withoutGradModeOrAnythingToTrainTheSegmentRunsPlainlyAndNeedsNoScope() {
        torch.manual_seed(1);
        Chain chain = new Chain(2, 0);
        Checkpoint.enable(chain, true);
        Tensor x = torch.randn(4, DIM).to(torch.ScalarType.Double);
        try (NoGrad ignored = new NoGrad()) {
            Tensor y = chain.forward(x);
            assertThat(y.requires_grad()).isFalse();
        }
        chain.requiresGrad(false);
        Tensor y = chain.forward(x);
        assertThat(y.requires_grad()).isFalse();
        assertThat(chain.blocks.get(0).calls + chain.blocks.get(1).calls).isEqualTo(4);
    }

    @Test
    void checkpointingWithoutAnOpenStepIsRefused() {
        Chain chain = new Chain(1, 0);
        Checkpoint.enable(chain, true);
        Tensor x = torch.randn(4, DIM).to(torch.ScalarType.Double);
        assertThatThrownBy(() -> chain.forward(x)).isInstanceOf(IllegalStateException.class).hasMessageContaining("StepScope");
    }

    @Test
    void anInputModifiedInPlaceAfterTheForwardIsCaughtInBackward() {
        Chain chain = new Chain(1, 0);
        Checkpoint.enable(chain, true);
        Tensor x = torch.randn(4, DIM).to(torch.ScalarType.Double);
        try (StepScope step = new StepScope()) {
            Tensor y = chain.forward(x);
            try (NoGrad ignored = new NoGrad()) {
                x.mul_(new Scalar(2.0));
            }
            assertThatThrownBy(() -> square(y).backward()).hasMessageContaining("modified in place");
        }
    }

    @Test
    void theOutputBelongsToTheStepAndIsFreedWithIt() {
        Chain chain = new Chain(1, 0);
        Checkpoint.enable(chain, true);
        Tensor x = torch.randn(4, DIM).to(torch.ScalarType.Double);
        Tensor y;
        try (StepScope step = new StepScope()) {
            y = chain.forward(x);
            square(y).backward();
            assertThat(y.isNull()).isFalse();
        }
        assertThat(y.isNull()).isTrue();
        assertThat(x.isNull()).isFalse();
    }

    @Test
    void enableCountsTheSwitchedModules() {
        assertThat(Checkpoint.enable(new Nest(3, 0), true)).isEqualTo(4);
    }
}
