package dev.lycoris4j.eval.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FrechetDistanceTest {

    /* 1-D: {0, 2} has mean 1, variance (ddof 1) 2; {3, 7} mean 5, variance 8: 16 + 2 + 8 - 2·√16 = 18. */
    @Test
    void oneDimensionalByHand() {
        DenseMatrix a = DenseMatrix.of(new double[][] {{0}, {2}});
        DenseMatrix b = DenseMatrix.of(new double[][] {{3}, {7}});
        assertThat(FrechetDistance.compute(a, b)).isCloseTo(18, within(1e-12));
    }

    /*
     * Corners of a 2x2 square: mean (1, 1), covariance diag(4/3, 4/3). Corners of a 4x2 rectangle: mean (2, 1),
     * covariance diag(16/3, 4/3). FD = 1 + (√(4/3) − √(16/3))² + 0 = 1 + 4/3.
     */
    @Test
    void diagonalCovariancesByHand() {
        DenseMatrix square = DenseMatrix.of(new double[][] {{0, 0}, {2, 0}, {0, 2}, {2, 2}});
        DenseMatrix rectangle = DenseMatrix.of(new double[][] {{0, 0}, {4, 0}, {0, 2}, {4, 2}});
        assertThat(FrechetDistance.compute(square, rectangle)).isCloseTo(1 + 4.0 / 3, within(1e-12));
    }

    @Test
    void invariantUnderSwapAndRotationAndZeroOnItself() {
        DenseMatrix a = DenseMatrix.of(new double[][] {{0.3, 1.2, -0.5}, {2.0, 0.1, 0.4}, {-1.0, 0.7, 0.9}, {0.5, -0.8, 1.5}});
        // Full-rank covariances: with a singular one, √λ of its round-off zero eigenvalues (~1e-8) would dominate.
        DenseMatrix b = DenseMatrix.of(new double[][] {{1.1, 0.0, 0.2}, {0.4, 2.2, -0.3}, {0.9, -0.6, 0.8}, {-0.2, 0.3, 1.9}});
        double fd = FrechetDistance.compute(a, b);
        assertThat(fd).isPositive();
        assertThat(FrechetDistance.compute(b, a)).isCloseTo(fd, within(1e-12));
        assertThat(FrechetDistance.compute(a, a)).isCloseTo(0, within(1e-12));
        double c = Math.cos(0.7), s = Math.sin(0.7);
        double[][] rotation = {{c, -s, 0}, {s, c, 0}, {0, 0, 1}};
        assertThat(FrechetDistance.compute(rotate(a, rotation), rotate(b, rotation))).isCloseTo(fd, within(1e-12));
        assertThatThrownBy(() -> FrechetDistance.compute(a, DenseMatrix.of(new double[][] {{1, 2, 3}})))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static DenseMatrix rotate(DenseMatrix x, double[][] rotation) {
        double[][] out = new double[x.rows()][x.cols()];
        for (int r = 0; r < x.rows(); r++) {
            for (int i = 0; i < x.cols(); i++) {
                for (int j = 0; j < x.cols(); j++) out[r][i] += rotation[i][j] * x.get(r, j);
            }
        }
        return DenseMatrix.of(out);
    }
}
