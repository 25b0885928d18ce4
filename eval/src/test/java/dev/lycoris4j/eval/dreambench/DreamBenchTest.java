package dev.lycoris4j.eval.dreambench;

import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The DreamBench protocol's prompt lists, worked from dreambench.json and spec §3. */
class DreamBenchTest {
    private static final Path DATA = Golden.data("dreambench.json");
    private static final DreamBench BENCH = DreamBench.load(DATA);

    @Test
    void thirtySubjectsNineLive() {
        assertThat(BENCH.subjects()).hasSize(30);
        assertThat(BENCH.subjects().stream().filter(DreamBench.Subject::live).map(DreamBench.Subject::name))
                .containsExactly("cat", "cat2", "dog", "dog2", "dog3", "dog5", "dog6", "dog7", "dog8");
        assertThat(BENCH.subjects().stream().mapToInt(DreamBench.Subject::numImages).sum()).isEqualTo(158);
        assertThat(BENCH.imagesPerPrompt()).isEqualTo(4);
        assertThat(BENCH.subject("wolf_plushie")).isEqualTo(new DreamBench.Subject("wolf_plushie", "stuffed animal", false, 5));
        assertThatThrownBy(() -> BENCH.subject("dog4")).hasMessage("unknown DreamBench subject 'dog4'");
    }

    @Test
    void everySubjectHasTwentyFivePromptsWithBothTokensFilled() {
        for (DreamBench.Subject s : BENCH.subjects()) {
            List<String> prompts = BENCH.prompts(s, "sks");
            assertThat(prompts).as(s.name()).hasSize(25);
            for (String p : prompts) {
                assertThat(p).as(s.name()).contains("sks " + s.cls()).doesNotContain("{");
            }
        }
    }

    @Test
    void liveSubjectsAndObjectsShareTheFirstTenAndLastFivePrompts() {
        List<String> dog = BENCH.prompts(BENCH.subject("dog"), "sks");
        List<String> backpack = BENCH.prompts(BENCH.subject("backpack"), "sks");
        assertThat(dog.getFirst()).isEqualTo("a sks dog in the jungle");
        assertThat(backpack.getFirst()).isEqualTo("a sks backpack in the jungle");
        assertThat(dog.get(9)).isEqualTo("a sks dog on top of a purple rug in a forest");
        // the middle ten differ
        assertThat(dog.get(10)).isEqualTo("a sks dog wearing a red hat");
        assertThat(backpack.get(10)).isEqualTo("a sks backpack with a wheat field in the background");
        assertThat(dog.get(19)).isEqualTo("a sks dog in a purple wizard outfit");
        assertThat(dog.getLast()).isEqualTo("a cube shaped sks dog");
        assertThat(BENCH.prompts(BENCH.subject("bear_plushie"), "zwx").get(20)).isEqualTo("a red zwx stuffed animal");
    }

    @Test
    void theBuiltInCopyIsTheSharedDataFile() throws IOException {
        try (InputStream in = DreamBench.class.getResourceAsStream(DreamBench.BUILT_IN)) {
            assertThat(in).isNotNull();
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(DATA));
        }
        assertThat(DreamBench.builtIn()).isEqualTo(BENCH);
    }
}
