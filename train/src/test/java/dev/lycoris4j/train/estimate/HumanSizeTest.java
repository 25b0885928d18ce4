package dev.lycoris4j.train.estimate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** GNU ls -h's rounding, worked by hand from gnulib's human_readable (ceiling, base 1024, autoscale). */
class HumanSizeTest {
    private static final long K = 1024, M = K * K, G = M * K;

    @Test
    void bytesBelowOneKibibyteArePrintedAsTheyAre() {
        assertThat(HumanSize.ls(0)).isEqualTo("0");
        assertThat(HumanSize.ls(1023)).isEqualTo("1023");
    }

    @Test
    void belowTenOneDecimalRoundedUp() {
        assertThat(HumanSize.ls(K)).isEqualTo("1.0K");
        assertThat(HumanSize.ls(K + 1)).isEqualTo("1.1K");           // 1.0009 → 1.1
        assertThat(HumanSize.ls(4 * M + M / 10 * 3)).isEqualTo("4.3M"); // 4.2999… → 4.3
        assertThat(HumanSize.ls(9 * M + 9 * M / 10 + 1)).isEqualTo("10M"); // 9.9000… → 10.0 → printed without decimal
    }

    @Test
    void fromTenWholeUnitsRoundedUp() {
        assertThat(HumanSize.ls(10 * K)).isEqualTo("10K");
        assertThat(HumanSize.ls(10 * K + 1)).isEqualTo("11K");
        assertThat(HumanSize.ls(232 * M + 1)).isEqualTo("233M");
    }

    @Test
    void roundingUpToTheBaseMovesToTheNextUnit() {
        assertThat(HumanSize.ls(M - 1)).isEqualTo("1.0M");          // 1023.999K → 1024K → 1.0M
        assertThat(HumanSize.ls(G + 1)).isEqualTo("1.1G");
        assertThat(HumanSize.ls((long) (1797.3 * M))).isEqualTo("1.8G");
    }
}
