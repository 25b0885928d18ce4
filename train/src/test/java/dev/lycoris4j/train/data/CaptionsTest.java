package dev.lycoris4j.train.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class CaptionsTest {
    private static final String CAPTION = "sks dog, grass, sunny, park, ball";

    @Test
    void dropoutReplacesTheWholeCaptionAtItsRate() {
        SplittableRandom rng = new SplittableRandom(1);
        CaptionSettings always = CaptionSettings.defaults().withDropoutRate(1);
        CaptionSettings never = CaptionSettings.defaults();
        assertThat(Captions.process(CAPTION, always, rng)).isEmpty();
        assertThat(Captions.process(CAPTION, never, rng)).isEqualTo(CAPTION);
        CaptionSettings some = CaptionSettings.defaults().withDropoutRate(0.3);
        int dropped = 0;
        for (int i = 0; i < 10_000; i++) if (Captions.process(CAPTION, some, rng).isEmpty()) dropped++;
        assertThat(dropped).isBetween(2_800, 3_200); // binomial(10000, 0.3): sd 46
    }

    @Test
    void shufflingKeepsTheFirstTokensInFrontAndPermutesTheRest() {
        CaptionSettings s = new CaptionSettings(".txt", 1, true, 0, 0);
        SplittableRandom rng = new SplittableRandom(2);
        Set<String> orders = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            String out = Captions.process(CAPTION, s, rng);
            List<String> tags = Arrays.asList(out.split(", "));
            assertThat(tags.getFirst()).isEqualTo("sks dog");
            assertThat(tags).containsExactlyInAnyOrder("sks dog", "grass", "sunny", "park", "ball");
            orders.add(out);
        }
        assertThat(orders.size()).isGreaterThan(5);
    }

    @Test
    void tagDropoutNeverDropsKeptTokens() {
        CaptionSettings s = new CaptionSettings(".txt", 2, false, 0, 1);
        assertThat(Captions.process(CAPTION, s, new SplittableRandom(3))).isEqualTo("sks dog, grass");
    }
}
