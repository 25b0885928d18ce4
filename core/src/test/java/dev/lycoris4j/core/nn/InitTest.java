package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Default initialisation against PyTorch's published random stream: after {@code torch.manual_seed(0)},
 * {@code torch.rand(10)} is [0.4963, 0.7682, 0.0885, 0.1320, 0.3074, 0.6341, 0.4901, 0.8964, 0.4556, 0.6323]
 * and {@code torch.randn(6)} is [1.5410, -0.2934, -2.1788, 0.5684, -1.0845, -1.3986]. {@code uniform_(lo, hi)}
 * maps a draw u to lo + (hi - lo)·u, so each expected value below is worked from these by hand.
 */
class InitTest {
    private static final double[] RAND_SEED0 = {0.4963, 0.7682, 0.0885, 0.1320, 0.3074, 0.6341, 0.4901, 0.8964, 0.4556, 0.6323};
    private static final double[] RANDN_SEED0 = {1.5410, -0.2934, -2.1788, 0.5684, -1.0845, -1.3986};

    /** U(-bound, bound) of the i-th draw. */
    private static double uniform(int i, double bound) {
        return -bound + 2 * bound * RAND_SEED0[i];
    }

    @Test
    void linearDrawsWeightThenBiasWithBoundOneOverRootFanIn() {
        try (var scope = new PointerScope()) {
            torch.manual_seed(0);
            Linear l = new Linear(4, 2, true); // fan_in 4: bound 1/2 for weight and bias
            float[] w = Tensors.toFloats(l.weight());
            float[] b = Tensors.toFloats(l.bias());
            for (int i = 0; i < 8; i++) assertThat((double) w[i]).isCloseTo(uniform(i, 0.5), within(1e-4));
            assertThat((double) b[0]).isCloseTo(uniform(8, 0.5), within(1e-4));
            assertThat((double) b[1]).isCloseTo(uniform(9, 0.5), within(1e-4));
            assertThat(l.weight().requires_grad()).isTrue();
            assertThat(l.bias().requires_grad()).isTrue();
        }
    }

    @Test
    void convFanInCountsKernelAreaAndGroups() {
        try (var scope = new PointerScope()) {
            torch.manual_seed(0);
            // fan_in = in/groups * kernel area = 4/2 * 1*1 = 2
            ConvNd c = new ConvNd(new LayerSpec.Conv(4, 2, new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0},
                    new long[] {1, 1}, 2), true);
            float[] w = Tensors.toFloats(c.weight());
            double bound = 1 / Math.sqrt(2);
            for (int i = 0; i < 4; i++) assertThat((double) w[i]).isCloseTo(uniform(i, bound), within(1e-4));

            torch.manual_seed(0);
            // fan_in = 2 * 3*3 = 18, one value checked per bound
            ConvNd c2 = new ConvNd(2, 2, 1, 3, 1, 0, true, Placement.cpu());
            assertThat((double) Tensors.toFloats(c2.weight())[0]).isCloseTo(uniform(0, 1 / Math.sqrt(18)), within(1e-4));
        }
    }

    @Test
    void normsStartAsIdentityAndEmbeddingIsStandardNormal() {
        try (var scope = new PointerScope()) {
            LayerNorm ln = new LayerNorm(5);
            assertThat(Tensors.toFloats(ln.weight())).containsOnly(1f);
            assertThat(Tensors.toFloats(ln.bias())).containsOnly(0f);
            GroupNorm gn = new GroupNorm(2, 4, 1e-6);
            assertThat(Tensors.toFloats(gn.weight())).containsOnly(1f);
            assertThat(Tensors.toFloats(gn.bias())).containsOnly(0f);

            torch.manual_seed(0);
            Embedding e = new Embedding(2, 3);
            float[] w = Tensors.toFloats(e.weight());
            for (int i = 0; i < 6; i++) assertThat((double) w[i]).isCloseTo(RANDN_SEED0[i], within(1e-4));
        }
    }

    @Test
    void sameSeedSameLayer() {
        try (var scope = new PointerScope()) {
            torch.manual_seed(1234);
            ConvNd a = new ConvNd(2, 8, 16, 3, 2, 1, true, Placement.cpu());
            torch.manual_seed(1234);
            ConvNd b = new ConvNd(2, 8, 16, 3, 2, 1, true, Placement.cpu());
            assertThat(Tensors.toFloats(a.weight())).containsExactly(Tensors.toFloats(b.weight()));
            assertThat(Tensors.toFloats(a.bias())).containsExactly(Tensors.toFloats(b.bias()));
            double bound = 1 / Math.sqrt(8 * 9);
            for (float v : Tensors.toFloats(a.weight())) assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
        }
    }
}
