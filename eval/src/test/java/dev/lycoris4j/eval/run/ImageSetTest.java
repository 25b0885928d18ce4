package dev.lycoris4j.eval.run;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** File names, seeds and prompts of one prompt list's images (spec §1.4). */
class ImageSetTest {
    private static final Path DIR = Path.of("out", "alter");

    @Test
    void sevenPromptsOverOneHundredImages() {
        List<String> prompts = IntStream.range(0, 7).mapToObj(i -> "p" + i).toList();
        ImageSet set = ImageSet.plan(DIR, prompts, 100, 1000);
        assertThat(set.images()).hasSize(100);
        assertThat(set.images().getFirst()).isEqualTo(new ImageGenerator.Planned(DIR.resolve("000-1000.png"), "p0", 1000));
        assertThat(set.images().get(15)).isEqualTo(new ImageGenerator.Planned(DIR.resolve("015-1015.png"), "p1", 1015));
        assertThat(set.images().get(99)).isEqualTo(new ImageGenerator.Planned(DIR.resolve("099-1099.png"), "p6", 1099));
        assertThat(set.promptRanges()).extracting(r -> r[0] + "-" + r[1])
                .containsExactly("0-15", "15-30", "30-44", "44-58", "58-72", "72-86", "86-100");
    }

    @Test
    void fewerImagesThanPromptsUseTheFirstPrompts() {
        List<String> prompts = IntStream.range(0, 10).mapToObj(i -> "p" + i).toList();
        ImageSet set = ImageSet.plan(DIR, prompts, 2, 1000);
        assertThat(set.files()).containsExactly(DIR.resolve("0-1000.png"), DIR.resolve("1-1001.png"));
        assertThat(set.imagePrompts()).containsExactly("p0", "p1");
        assertThat(set.promptRanges()).extracting(r -> r[0] + "-" + r[1]).containsExactly("0-1", "1-2");
    }
}
