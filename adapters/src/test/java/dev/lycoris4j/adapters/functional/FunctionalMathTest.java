package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The pure formulas against the spec's element-wise definitions, evaluated by explicit loops. */
class FunctionalMathTest {
    @BeforeEach
    void seed() {
        torch.manual_seed(11);
    }

    private static double at(Tensor t, long... idx) {
        Tensor v = t;
        for (long i : idx) v = v.select(0, i);
        return v.item_double();
    }

    /** Spec §2.3: {@code W[p,q,k] = Σ_{a,b} t[a,b,k]·l[a,p]·r[b,q]}. */
    @Test
    void tuckerRebuild() {
        Tensor core = torch.randn(2, 3, 2, 2), left = torch.randn(2, 4), right = torch.randn(3, 5);
        Tensor w = Tucker.rebuild(core, left, right);
        assertThat(Tensors.shape(w)).containsExactly(4, 5, 2, 2);
        for (long p = 0; p < 4; p++) for (long q = 0; q < 5; q++) for (long u = 0; u < 2; u++) {
            double s = 0;
            for (long a = 0; a < 2; a++) for (long b = 0; b < 3; b++) s += at(core, a, b, u, 1) * at(left, a, p) * at(right, b, q);
            assertThat(at(w, p, q, u, 1)).isCloseTo(s, within(1e-5));
        }
    }

    /** Spec §2.4: {@code ΔW[i·b+j, p·d+q, u, v] = scale · w1[i,p] · w2[j,q,u,v]}. */
    @Test
    void kroneckerLayout() {
        Tensor w1 = torch.randn(2, 3), w2 = torch.randn(4, 2, 3, 3);
        Tensor dw = Lokr.deltaWeight(w1, w2, 0.5, new long[] {8, 6, 3, 3});
        for (long i = 0; i < 2; i++) for (long j = 0; j < 4; j++) for (long p = 0; p < 3; p++) for (long q = 0; q < 2; q++) {
            assertThat(at(dw, i * 4 + j, p * 2 + q, 1, 2)).isCloseTo(0.5 * at(w1, i, p) * at(w2, j, q, 1, 2), within(1e-5));
        }
    }

    /** Spec §2.1/§2.3: the LoRA product and the LoHa Hadamard product, element by element. */
    @Test
    void loraAndLoha() {
        Tensor up = torch.randn(5, 2), down = torch.randn(2, 3);
        Tensor dw = Lora.deltaWeight(up, down, null, 2.0, new long[] {5, 3});
        Tensor a1 = torch.randn(5, 2), b1 = torch.randn(2, 3), a2 = torch.randn(5, 2), b2 = torch.randn(2, 3);
        Tensor hw = Loha.deltaWeight(a1, b1, a2, b2, null, null, 0.25, new long[] {5, 3});
        for (long o = 0; o < 5; o++) for (long i = 0; i < 3; i++) {
            double l = 0, h1 = 0, h2 = 0;
            for (long r = 0; r < 2; r++) {
                l += at(up, o, r) * at(down, r, i);
                h1 += at(a1, o, r) * at(b1, r, i);
                h2 += at(a2, o, r) * at(b2, r, i);
            }
            assertThat(at(dw, o, i)).isCloseTo(2.0 * l, within(1e-5));
            assertThat(at(hw, o, i)).isCloseTo(0.25 * h1 * h2, within(1e-5));
        }
    }

    /** Spec §2.2: at m = 1 the rows of W_new have the learnt magnitude; at m = 0 W_new = W + ΔW un-normalised. */
    @Test
    void doraMagnitudeAndMultiplier() {
        Tensor adapted = torch.randn(6, 4, 3, 3);
        Tensor magnitude = torch.rand(6, 1, 1, 1).add(new Scalar(0.5));
        Tensor w1 = Dora.apply(adapted, magnitude, true, 1.0);
        Tensor rowNorms = w1.reshape(6, -1).pow(new Scalar(2)).sum(new long[] {1}, false, new ScalarTypeOptional()).sqrt();
        assertThat(Tensors.maxAbsDiff(rowNorms, magnitude.reshape(6))).isLessThan(1e-5);
        assertThat(torch.equal(Dora.apply(adapted, magnitude, true, 0.0), adapted)).isTrue();
        // m = 0.5 halves the step from W' to the normalised weight: s = m·(s − 1) + 1
        Tensor half = Dora.apply(adapted, magnitude, true, 0.5);
        assertThat(Tensors.maxAbsDiff(half, adapted.add(w1).mul(new Scalar(0.5)))).isLessThan(1e-5);

        Tensor colMagnitude = torch.rand(1, 4, 1, 1).add(new Scalar(0.5));
        Tensor wc = Dora.apply(adapted, colMagnitude, false, 1.0);
        Tensor colNorms = wc.transpose(0, 1).reshape(4, -1).pow(new Scalar(2))
                .sum(new long[] {1}, false, new ScalarTypeOptional()).sqrt();
        assertThat(Tensors.maxAbsDiff(colNorms, colMagnitude.reshape(4))).isLessThan(1e-5);
    }

    @Test
    void doraEpsilonIsTheMagnitudeDtypesMachineEpsilon() {
        assertThat(Dora.epsilon(torch.ScalarType.Float)).isEqualTo(Math.pow(2, -23));
        assertThat(Dora.epsilon(torch.ScalarType.BFloat16)).isEqualTo(Math.pow(2, -7));
        assertThat(Dora.epsilon(torch.ScalarType.Half)).isEqualTo(Math.pow(2, -10));
        assertThat(Dora.epsilon(torch.ScalarType.Double)).isEqualTo(Math.pow(2, -52));
    }
}
