package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DiagOftTest {

    /** Spec §2.5: the block size is the smaller factor of factorization(out, lora_dim). */
    @Test
    void blockSizesFollowTheSpecExamples() {
        assertThat(DiagOft.blocks(48, 4)).isEqualTo(new DiagOft.Blocks(4, 12));
        assertThat(DiagOft.blocks(48, 8)).isEqualTo(new DiagOft.Blocks(6, 8));
        assertThat(DiagOft.blocks(320, 32)).isEqualTo(new DiagOft.Blocks(10, 32));
        assertThat(DiagOft.blocks(320, 4)).isEqualTo(new DiagOft.Blocks(4, 80));
    }

    /**
     * Hand-worked: B = [[0, a], [0, 0]] gives Q = [[0, a], [−a, 0]] and
     * R = (I+Q)(I−Q)⁻¹ = [[1−a², 2a], [−2a, 1−a²]] / (1+a²); a = 0.5 → [[0.6, 0.8], [−0.8, 0.6]].
     */
    @Test
    void cayleyOfASingleGeneratorIsTheHandWorkedRotation() {
        Tensor blocks = Tensors.fromFloats(new float[] {0, 0.5f, 0, 0}, 1, 2, 2);
        assertThat(Tensors.toDoubles(DiagOft.cayley(blocks, 0)))
                .containsExactly(new double[] {0.6, 0.8, -0.8, 0.6}, within(1e-6));
    }

    /** ‖Q‖_F = a·√2 = 0.7071 > 0.1, so Q is scaled to norm 0.1 (up to the 1e-8): a' = 0.1/√2 / (1 + 1e-8/0.7071). */
    @Test
    void constraintScalesQDownToTheLimitOverAllBlocks() {
        Tensor blocks = Tensors.fromFloats(new float[] {0, 0.5f, 0, 0, 0, 0, 0, 0}, 2, 2, 2);
        double a = 0.1 / Math.sqrt(2);
        double c = (1 - a * a) / (1 + a * a);
        double s = 2 * a / (1 + a * a);
        assertThat(Tensors.toDoubles(DiagOft.cayley(blocks, 0.1)))
                .containsExactly(new double[] {c, s, -s, c, 1, 0, 0, 1}, within(1e-6));
        // Below the limit nothing changes.
        assertThat(Tensors.toDoubles(DiagOft.cayley(blocks, 10)))
                .containsExactly(new double[] {0.6, 0.8, -0.8, 0.6, 1, 0, 0, 1}, within(1e-6));
    }

    /** m·R + (1−m)·I at m = 0.5 with R = [[0.6, 0.8], [−0.8, 0.6]] is [[0.8, 0.4], [−0.4, 0.8]]. */
    @Test
    void multiplierInterpolatesTowardsTheIdentity() {
        Tensor r = Tensors.fromFloats(new float[] {0.6f, 0.8f, -0.8f, 0.6f}, 1, 2, 2);
        assertThat(Tensors.toDoubles(DiagOft.atMultiplier(r, 0.5)))
                .containsExactly(new double[] {0.8, 0.4, -0.4, 0.8}, within(1e-6));
    }

    /** The merged weight uses Rᵀ (spec §2.5): on W = I the first block becomes Rᵀ, the second stays I. */
    @Test
    void mergedWeightRotatesEachRowBlockByTheTranspose() {
        Tensor r = Tensors.fromFloats(new float[] {0.6f, 0.8f, -0.8f, 0.6f, 1, 0, 0, 1}, 2, 2, 2);
        Tensor w = torch.eye(4);
        assertThat(Tensors.toDoubles(DiagOft.mergedWeight(w, r, null))).containsExactly(new double[] {
                0.6, -0.8, 0, 0,
                0.8, 0.6, 0, 0,
                0, 0, 1, 0,
                0, 0, 0, 1}, within(1e-6));
        Tensor rescale = Tensors.fromFloats(new float[] {2, 1, 1, 3}, 4, 1);
        assertThat(Tensors.toDoubles(DiagOft.mergedWeight(w, r, rescale))).containsExactly(new double[] {
                1.2, -1.6, 0, 0,
                0.8, 0.6, 0, 0,
                0, 0, 1, 0,
                0, 0, 0, 3}, within(1e-6));
    }

    /** Rotating an output's channels (conv layout, axis 1) equals rotating the rows of the same values laid out channel-first. */
    @Test
    void rotateOutputActsOnTheChannelAxis() {
        torch.manual_seed(3);
        Tensor r = DiagOft.cayley(torch.randn(2, 3, 3), 0);
        Tensor y = torch.randn(2, 6, 4, 5);
        Tensor viaRows = Channels.fromRows(DiagOft.rotateRows(Channels.toRows(y, 1), r), 1, Tensors.shape(y));
        Tensor direct = DiagOft.rotateOutput(y, 1, r, null);
        assertThat(Tensors.maxAbsDiff(viaRows, direct)).isLessThan(1e-6);
        // And a block rotation is orthogonal: channel vectors keep their length.
        assertThat(Tensors.maxAbsDiff(direct.norm(new org.bytedeco.pytorch.ScalarOptional(), new long[] {1}, false),
                y.norm(new org.bytedeco.pytorch.ScalarOptional(), new long[] {1}, false))).isLessThan(1e-5);
    }
}
