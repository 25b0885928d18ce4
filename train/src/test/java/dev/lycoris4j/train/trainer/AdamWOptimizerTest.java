package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The native AdamW against its update rule worked in Java, and its saved state. */
class AdamWOptimizerTest {
    private static final OptimizerConfig PAPER = new OptimizerConfig(0.1, 0.05, 0.1, 0.9, 0.99, 1e-8, 1.0);
    private static final double[] P0 = {1.0, -2.0};
    private static final double[][] GRADS = {{0.5, 3.0}, {-1.0, 0.25}, {2.0, -0.5}};

    private static Tensor parameter(double[] v) {
        Tensor t = Tensors.fromDoubles(v, v.length);
        t.requires_grad_(true);
        return t;
    }

    private static void setGrad(Tensor p, double[] g) {
        // d/dp of sum(g · p) is g
        p.mul(Tensors.fromDoubles(g, g.length)).sum().backward();
    }

    /** PyTorch's AdamW, step by step: decoupled decay, moments, bias corrections. */
    private static double[] reference(double lr, int steps) {
        double[] p = P0.clone();
        double[] m = new double[2];
        double[] v = new double[2];
        for (int t = 1; t <= steps; t++) {
            for (int i = 0; i < 2; i++) {
                double g = GRADS[t - 1][i];
                p[i] *= 1 - lr * PAPER.weightDecay();
                m[i] = PAPER.beta1() * m[i] + (1 - PAPER.beta1()) * g;
                v[i] = PAPER.beta2() * v[i] + (1 - PAPER.beta2()) * g * g;
                double mHat = m[i] / (1 - Math.pow(PAPER.beta1(), t));
                double vHat = v[i] / (1 - Math.pow(PAPER.beta2(), t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + PAPER.eps());
            }
        }
        return p;
    }

    @Test
    void stepsFollowTheAdamWRuleWithEachGroupsLearningRateTimesTheFactor() {
        Tensor p = parameter(P0);
        Tensor q = parameter(P0);
        AdamWOptimizer opt = new AdamWOptimizer(List.of(new Optimizer.Group("a", List.of(p), 0.1),
                new Optimizer.Group("b", List.of(q), 0.05)), PAPER);
        for (int t = 0; t < 3; t++) {
            opt.zeroGrad();
            setGrad(p, GRADS[t]);
            setGrad(q, GRADS[t]);
            opt.setLearningRateFactor(0.5);
            opt.step();
        }
        assertThat(opt.learningRate(0)).isEqualTo(0.05);
        assertThat(opt.learningRate(1)).isEqualTo(0.025);
        double[] expectedP = reference(0.05, 3);
        double[] expectedQ = reference(0.025, 3);
        double[] gotP = Tensors.toDoubles(p);
        double[] gotQ = Tensors.toDoubles(q);
        for (int i = 0; i < 2; i++) {
            assertThat(gotP[i]).isCloseTo(expectedP[i], within(1e-12));
            assertThat(gotQ[i]).isCloseTo(expectedQ[i], within(1e-12));
        }
    }

    @Test
    void aRestoredStateContinuesExactlyAsTheOriginal() {
        Tensor p = parameter(P0);
        AdamWOptimizer opt = new AdamWOptimizer(List.of(new Optimizer.Group("a", List.of(p), 0.1)), PAPER);
        opt.zeroGrad();
        setGrad(p, GRADS[0]);
        opt.setLearningRateFactor(1);
        opt.step();
        byte[] state = opt.saveState();

        Tensor copy = parameter(P0);
        try (NoGrad ignored = new NoGrad()) {
            copy.copy_(p);
        }
        AdamWOptimizer restored = new AdamWOptimizer(List.of(new Optimizer.Group("a", List.of(copy), 0.1)), PAPER);
        restored.loadState(state);
        for (AdamWOptimizer o : List.of(opt, restored)) {
            Tensor param = o == opt ? p : copy;
            o.zeroGrad();
            setGrad(param, GRADS[1]);
            o.setLearningRateFactor(1);
            o.step();
        }
        assertThat(Tensors.toDoubles(copy)).isEqualTo(Tensors.toDoubles(p));
        double[] expected = reference(0.1, 2);
        assertThat(Tensors.toDoubles(p)[1]).isCloseTo(expected[1], within(1e-12));
    }
}
