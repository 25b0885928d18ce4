package dev.lycoris4j.train.trainer;

import dev.lycoris4j.diffusion.pipeline.GenerationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplePromptsTest {
    @TempDir
    Path dir;

    @Test
    void kohyaOptionsFollowThePromptAndUnsetSeedsCountUpFromTheRunsSeed() throws Exception {
        Path file = Files.writeString(dir.resolve("p.txt"), """
                # comment
                a photo of sks dog --n blurry, low quality --w 768 --h 512 --d 5 --l 6.5 --s 30

                a cat
                a bird --s 4
                """);
        List<GenerationRequest> r = SamplePrompts.read(file, 512, 512, 100, 1, "ddim");
        assertThat(r).hasSize(3);
        assertThat(r.get(0)).isEqualTo(new GenerationRequest("a photo of sks dog", "blurry, low quality", 30, 6.5, 5, 768,
                512, 1, 1, "ddim"));
        assertThat(r.get(1)).isEqualTo(new GenerationRequest("a cat", "", SamplePrompts.DEFAULT_STEPS, SamplePrompts.DEFAULT_CFG,
                101, 512, 512, 1, 1, "ddim"));
        assertThat(r.get(2).seed()).isEqualTo(102);
        assertThat(r.get(2).steps()).isEqualTo(4);
    }

    @Test
    void badLinesNameFileAndLine() throws Exception {
        Path file = Files.writeString(dir.resolve("p.txt"), "ok\na dog --w wide\n");
        assertThatThrownBy(() -> SamplePrompts.read(file, 512, 512, 0, 1, "ddim"))
                .hasMessage(file + ":2: option '--w wide' needs a number");
    }
}
