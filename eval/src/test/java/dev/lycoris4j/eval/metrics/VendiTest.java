package dev.lycoris4j.eval.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Independent checks: the vendi_score README examples (spec §2) and hand-worked spectra. */
class VendiTest {
    private static final DenseMatrix K3 = DenseMatrix.of(new double[][] {{1, 0.9, 0}, {0.9, 1, 0}, {0, 0, 1}});

    @Test
    void readmeExamples() {
        assertThat(Vendi.scoreK(K3, 1)).isCloseTo(2.1573004834, within(1e-9));
        assertThat(Vendi.scoreK(K3, 0.5)).isCloseTo(2.4203483571, within(1e-9));
        assertThat(Vendi.scoreK(K3, 2)).isCloseTo(1.9480519481, within(1e-9));
        assertThat(Vendi.scoreK(K3, Vendi.Q_INF)).isCloseTo(1.5789473684, within(1e-9));
        assertThat(Vendi.scoreK(K3, 0)).isCloseTo(3, within(1e-12));
        assertThat(Vendi.scoreK(VendiGoldenTest.identity(5), 1)).isCloseTo(5, within(1e-12));
        assertThat(Vendi.scoreK(new DenseMatrix(5, 5, VendiGoldenTest.filled(25, 1)), 1)).isCloseTo(1, within(1e-12));
        assertThat(Vendi.score(DenseMatrix.of(new double[][] {{1, 0}, {1, 0}, {0, 1}, {0, 1}}))).isCloseTo(2, within(1e-12));
        assertThat(Vendi.score(DenseMatrix.of(new double[][] {{1, 0}, {0.6, 0.8}}))).isCloseTo(1.6493848885, within(1e-9));
    }

    /*
     * Eigenvalues of K3/3 are 1.9/3, 0.1/3 and 1/3 (the 2x2 block has 1 ± 0.9), so the entropies have closed forms.
     */
    @Test
    void k3MatchesItsClosedFormSpectrum() {
        double[] p = {1.9 / 3, 0.1 / 3, 1.0 / 3};
        double shannon = 0;
        double renyi2 = 0;
        for (double x : p) {
            shannon -= x * Math.log(x);
            renyi2 += x * x;
        }
        assertThat(Vendi.scoreK(K3, 1)).isCloseTo(Math.exp(shannon), within(1e-13));
        assertThat(Vendi.scoreK(K3, 2)).isCloseTo(1 / renyi2, within(1e-13));
        assertThat(Vendi.scoreK(K3, Vendi.Q_INF)).isCloseTo(3 / 1.9, within(1e-13));
    }

    @Test
    void weightsAndNormalisationFollowScoreK() {
        // Uniform p is the default weighting; p concentrated on two orthogonal samples gives 2.
        double[] uniform = {1.0 / 3, 1.0 / 3, 1.0 / 3};
        assertThat(Vendi.scoreK(K3, 1, uniform, false)).isCloseTo(Vendi.scoreK(K3, 1), within(1e-13));
        assertThat(Vendi.scoreK(VendiGoldenTest.identity(3), 1, new double[] {0.5, 0.5, 0}, false)).isCloseTo(2, within(1e-13));
        // normalize=True divides by sqrt(KiiKjj): a rescaled kernel scores like the unit-diagonal one.
        DenseMatrix scaled = DenseMatrix.of(new double[][] {{4, 1.8, 0}, {1.8, 1, 0}, {0, 0, 9}});
        assertThat(Vendi.scoreK(scaled, 1, null, true)).isCloseTo(Vendi.scoreK(K3, 1), within(1e-13));
    }

    @Test
    void perPromptScoresUseConsecutiveChunks() {
        // Chunk 1: two identical rows (score 1); chunk 2: two orthogonal rows (score 2); mean 1.5.
        DenseMatrix x = DenseMatrix.of(new double[][] {{1, 0}, {2, 0}, {1, 0}, {0, 1}});
        assertThat(Vendi.perPromptScores(x, 2)).containsExactly(new double[] {1, 2}, within(1e-12));
        assertThat(Vendi.meanPerPromptScore(x, 2)).isCloseTo(1.5, within(1e-12));
        assertThatThrownBy(() -> Vendi.perPromptScores(x, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
