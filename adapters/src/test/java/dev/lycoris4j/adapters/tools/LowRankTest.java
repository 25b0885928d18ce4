package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Truncated SVD factors against singular values computed without libtorch (Jacobi on the Gram matrix). */
class LowRankTest {

    @Test
    void truncationErrorIsTheEckartYoungBoundAndFullRankReproduces() {
        try (NoGrad ignored = new NoGrad()) {
            Tensor d = Fixture.random(new Random(1), 0.1, 20, 6, 3, 3);
            double[] sigma = Spectra.singularValues(Fixture.matrix(d), 20, 54);
            LowRank.Svd svd = LowRank.Svd.of(d);
            double[] ours = svd.singularValues();
            for (int i = 0; i < sigma.length; i++) assertThat(ours[i]).isCloseTo(sigma[i], within(1e-5 * sigma[0]));

            long[] shape = Tensors.shape(d);
            for (int r : new int[] {1, 4, 9}) {
                LowRank.Factors f = LowRank.truncate(svd, shape, r);
                assertThat(Tensors.shape(f.up())).containsExactly(20, r, 1, 1);
                assertThat(Tensors.shape(f.down())).containsExactly(r, 6, 3, 3);
                double error = LowRank.distance(d, f.deltaWeight(shape));
                double bound = Spectra.eckartYoungError(sigma, r);
                assertThat(error).as("rank " + r).isCloseTo(bound, within(1e-4 * bound));
            }
            LowRank.Factors full = LowRank.truncate(svd, shape, 20);
            assertClose("full rank", full.deltaWeight(shape), d, 1e-6, 0);
        }
    }

    /**
     * D − T splits into D − P (columns orthogonal to the kept left singular vectors) and P − T (columns inside
     * them), where P is the plain rank-r LoCon and T its Tucker form: ‖D − T‖² = ‖D − P‖² + ‖P − T‖².
     */
    @Test
    void tuckerSplitKeepsUpAndOnlyAddsAnOrthogonalError() {
        try (NoGrad ignored = new NoGrad()) {
            Tensor d = Fixture.random(new Random(2), 0.1, 16, 8, 3, 3);
            long[] shape = Tensors.shape(d);
            LowRank.Factors plain = LowRank.truncate(LowRank.Svd.of(d), shape, 3);
            LowRank.Factors tucker = LowRank.tucker(plain);
            assertThat(Tensors.shape(tucker.down())).containsExactly(3, 8, 1, 1);
            assertThat(Tensors.shape(tucker.mid())).containsExactly(3, 3, 3, 3);
            assertThat(tucker.up().equal(plain.up())).isTrue();

            Tensor p = plain.deltaWeight(shape);
            Tensor t = tucker.deltaWeight(shape);
            double dt = LowRank.distance(d, t);
            double dp = LowRank.distance(d, p);
            double pt = LowRank.distance(p, t);
            assertThat(dt * dt).isCloseTo(dp * dp + pt * pt, within(1e-5 * dt * dt));
            assertThat(pt).isPositive();
        }
    }

    /** A down whose (in, r·k·k) unfolding has rank ≤ r is split without loss. */
    @Test
    void tuckerIsExactWhenTheUnfoldingHasRankAtMostR() {
        try (NoGrad ignored = new NoGrad()) {
            Random rng = new Random(3);
            // down[a, i, u, v] = Σ_b p[i, b]·q[b, a, u, v] with 2 terms < r = 3.
            Tensor p = Fixture.random(rng, 1, 5, 2);
            Tensor q = Fixture.random(rng, 1, 2, 3 * 4);
            Tensor down = p.matmul(q).reshape(5, 3, 2, 2).transpose(0, 1).contiguous();
            Tensor up = Fixture.random(rng, 1, 7, 3, 1, 1);
            long[] shape = {7, 5, 2, 2};
            LowRank.Factors plain = new LowRank.Factors(up, down, null);
            assertClose("tucker", LowRank.tucker(plain).deltaWeight(shape), plain.deltaWeight(shape), 1e-5, 1e-5);
        }
    }
}
