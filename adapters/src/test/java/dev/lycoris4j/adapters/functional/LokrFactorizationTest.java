package dev.lycoris4j.adapters.functional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Lokr#factorization} against every cell of the table in spec §2.4 (and its two extra notes). */
class LokrFactorizationTest {

    @ParameterizedTest(name = "factorization({0}, {1}) = ({2}, {3})")
    @CsvSource({
            // dim, factor, small, large
            "24, -1, 4, 6", "24, 2, 2, 12", "24, 4, 4, 6", "24, 8, 3, 8", "24, 16, 4, 6", "24, 32, 4, 6",
            "48, -1, 6, 8", "48, 2, 2, 24", "48, 4, 4, 12", "48, 8, 6, 8", "48, 16, 3, 16", "48, 32, 6, 8",
            "64, -1, 8, 8", "64, 2, 2, 32", "64, 4, 4, 16", "64, 8, 8, 8", "64, 16, 4, 16", "64, 32, 2, 32",
            "127, -1, 1, 127", "127, 2, 1, 127", "127, 4, 1, 127", "127, 8, 1, 127", "127, 16, 1, 127", "127, 32, 1, 127",
            "320, -1, 16, 20", "320, 2, 2, 160", "320, 4, 4, 80", "320, 8, 8, 40", "320, 16, 16, 20", "320, 32, 10, 32",
            "640, -1, 20, 32", "640, 2, 2, 320", "640, 4, 4, 160", "640, 8, 8, 80", "640, 16, 16, 40", "640, 32, 20, 32",
            "768, -1, 24, 32", "768, 2, 2, 384", "768, 4, 4, 192", "768, 8, 8, 96", "768, 16, 16, 48", "768, 32, 24, 32",
            "1280, -1, 32, 40", "1280, 2, 2, 640", "1280, 4, 4, 320", "1280, 8, 8, 160", "1280, 16, 16, 80", "1280, 32, 32, 40",
            "2048, -1, 32, 64", "2048, 2, 2, 1024", "2048, 4, 4, 512", "2048, 8, 8, 256", "2048, 16, 16, 128", "2048, 32, 32, 64",
            "10240, -1, 80, 128", "10240, 2, 2, 5120", "10240, 4, 4, 2560", "10240, 8, 8, 1280", "10240, 16, 16, 640",
            "10240, 32, 32, 320",
            "16, 16, 1, 16", "32, 32, 1, 32"
    })
    void matchesTheSpecTable(long dim, long factor, long small, long large) {
        assertThat(Lokr.factorization(dim, factor)).isEqualTo(new Lokr.Split(small, large));
    }
}
