package dev.lycoris4j.eval.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SymmetricEigenTest {

    @Test
    void twoByTwoByHand() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, -1)/√2 and (1, 1)/√2.
        SymmetricEigen.Decomposition d = SymmetricEigen.decompose(DenseMatrix.of(new double[][] {{2, 1}, {1, 2}}));
        assertThat(d.values()).containsExactly(new double[] {1, 3}, within(1e-15));
        double r = Math.sqrt(0.5);
        assertThat(Math.abs(d.vectors()[1][0])).isCloseTo(r, within(1e-15));
        assertThat(d.vectors()[1][0] * d.vectors()[1][1]).isCloseTo(0.5, within(1e-15));
        assertThat(d.vectors()[0][0] * d.vectors()[0][1]).isCloseTo(-0.5, within(1e-15));
    }

    @Test
    void decompositionReconstructsTheMatrix() {
        double[][] a = {{4, 1, -2, 0.5}, {1, 3, 0, 1}, {-2, 0, 5, -1}, {0.5, 1, -1, 2}};
        SymmetricEigen.Decomposition d = SymmetricEigen.decompose(DenseMatrix.of(a));
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double sum = 0;
                for (int k = 0; k < 4; k++) sum += d.values()[k] * d.vectors()[k][i] * d.vectors()[k][j];
                assertThat(sum).isCloseTo(a[i][j], within(1e-13));
            }
        }
        assertThat(SymmetricEigen.eigenvalues(DenseMatrix.of(a))).containsExactly(d.values(), within(1e-13));
    }

    @Test
    void rejectsNonSquareAndNonFinite() {
        assertThatThrownBy(() -> SymmetricEigen.eigenvalues(DenseMatrix.of(new double[][] {{1, 2}})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SymmetricEigen.eigenvalues(DenseMatrix.of(new double[][] {{Double.NaN}})))
                .isInstanceOf(ArithmeticException.class);
    }
}
