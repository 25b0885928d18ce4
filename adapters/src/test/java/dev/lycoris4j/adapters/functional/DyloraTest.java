package dev.lycoris4j.adapters.functional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DyloraTest {

    /**
     * Spec §2.9 worked for lora_dim 8, block_size 2 (count 4), alpha 4: t = ceil(rank/2), blocks
     * 0…min(t, 3), scale alpha/(t+1). Rank 8 is clamped to all 4 blocks but keeps t = 4: scale 4/5.
     */
    @Test
    void rankCutsFollowTheReferenceGetWeight() {
        assertThat(Dylora.forRank(0, 2, 8, 4)).isEqualTo(new Dylora.Cut(0, 2, 4.0));
        assertThat(Dylora.forRank(2, 2, 8, 4)).isEqualTo(new Dylora.Cut(1, 4, 2.0));
        assertThat(Dylora.forRank(5, 2, 8, 4)).isEqualTo(new Dylora.Cut(3, 8, 1.0));
        assertThat(Dylora.forRank(8, 2, 8, 4)).isEqualTo(new Dylora.Cut(4, 8, 0.8));
    }

    @Test
    void trainingDrawOfBlockTUsesTPlusOneBlocks() {
        assertThat(Dylora.forBlock(0, 2, 4)).isEqualTo(new Dylora.Cut(0, 2, 4.0));
        assertThat(Dylora.forBlock(3, 2, 4)).isEqualTo(new Dylora.Cut(3, 8, 1.0));
    }

    @Test
    void negativeRankIsRejected() {
        assertThatThrownBy(() -> Dylora.forRank(-1, 2, 8, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }
}
