package dev.lycoris4j.adapters.functional;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoftTest {

    /** Spec §2.6 power2factorization examples (block size, block count, stages = log2(count) + 1). */
    @Test
    void power2FactorizationFollowsTheSpecExamples() {
        assertThat(Boft.geometry(48, 6)).isEqualTo(new Boft.Geometry(6, 8, 4));
        assertThat(Boft.geometry(24, 6)).isEqualTo(new Boft.Geometry(6, 4, 3));
        assertThat(Boft.geometry(32, 4)).isEqualTo(new Boft.Geometry(4, 8, 4));
        assertThat(Boft.geometry(768, 8)).isEqualTo(new Boft.Geometry(6, 128, 8));
        assertThat(Boft.geometry(1024, 8)).isEqualTo(new Boft.Geometry(8, 128, 8));
        assertThat(Boft.geometry(320, 10).blockSize()).isEqualTo(10);
    }

    @Test
    void impossibleSplitsFailNamingTheSizes() {
        assertThatThrownBy(() -> Boft.geometry(48, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("48").hasMessageContaining("4");
        assertThatThrownBy(() -> Boft.geometry(320, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Hand-worked butterfly on 4 channels, b = 2, two stages. Stage 0 (k = 1) pairs channels (0,1), (2,3);
     * stage 1 (k = 2) pairs (0,2), (1,3). With the swap S = [[0,1],[1,0]] at stage 0 block 0 only and
     * identities elsewhere, stage 0 swaps rows 0 and 1; with S at stage 1 block 1 only, rows 1 and 3 swap.
     */
    @Test
    void stagesPairChannelsAsTheButterflyPrescribes() {
        Tensor eye = torch.eye(2);
        Tensor swap = Tensors.fromFloats(new float[] {0, 1, 1, 0}, 2, 2);
        Tensor rows = Tensors.fromFloats(new float[] {10, 11, 12, 13}, 4, 1);
        Tensor stage0 = torch.stack(new org.bytedeco.pytorch.TensorVector(
                torch.stack(new org.bytedeco.pytorch.TensorVector(swap, eye)),
                torch.stack(new org.bytedeco.pytorch.TensorVector(eye, eye))));
        assertThat(Tensors.toDoubles(Boft.rotateRows(rows, stage0))).containsExactly(11, 10, 12, 13);
        Tensor stage1 = torch.stack(new org.bytedeco.pytorch.TensorVector(
                torch.stack(new org.bytedeco.pytorch.TensorVector(eye, eye)),
                torch.stack(new org.bytedeco.pytorch.TensorVector(eye, swap))));
        assertThat(Tensors.toDoubles(Boft.rotateRows(rows, stage1))).containsExactly(10, 13, 12, 11);
    }

    /** The product of orthogonal stages is orthogonal: every column of the weight keeps its length. */
    @Test
    void fullTransformIsOrthogonal() {
        torch.manual_seed(5);
        Boft.Geometry g = Boft.geometry(48, 6);
        Tensor r = DiagOft.cayley(torch.randn(g.stages(), g.blockNum(), g.blockSize(), g.blockSize()).mul(
                new org.bytedeco.pytorch.Scalar(0.1)), 0);
        Tensor w = torch.randn(48, 20);
        Tensor merged = Boft.mergedWeight(w, r, null);
        assertThat(Tensors.maxAbsDiff(merged.t().matmul(merged), w.t().matmul(w))).isLessThan(1e-4);
        assertThat(Tensors.maxAbsDiff(merged, w)).isGreaterThan(1e-3);
    }
}
