package dev.lycoris4j.cli;

import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.lycoris4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code lycoris eval} and {@code lycoris dreambench} as commands: prompt files, exit codes, one-line errors. */
class EvalCommandsTest {
    @TempDir
    Path dir;

    private Path config(String extra) throws Exception {
        Path leaf = Files.createDirectories(dir.resolve("data/people/Saw_Gerrera/afro, illustration"));
        Files.copy(Golden.path("eval/images/img0_320x240.png"), leaf.resolve("01.png"));
        Files.writeString(leaf.resolve("01.txt"), "fck man, afro, illustration, beard\n");
        return Files.writeString(dir.resolve("eval.toml"), """
                model = "missing-model"
                dataset = "data"
                output = "out"
                prompt_types = ["train", "trigger"]
                %s
                [encoders]
                dino = "missing-dino"
                [[checkpoints]]
                name = "a"
                adapter = "a.safetensors"
                algo = "lora"
                preset = "attn-mlp"
                lr = 1e-4
                seed = "a"
                epoch = 50
                """.formatted(extra));
    }

    @Test
    void writePromptsNeedsNoModel() throws Exception {
        CliRun r = run("eval", "--config", config("").toString(), "--write-prompts", dir.resolve("prompts").toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path leaf = dir.resolve("prompts/people/Saw_Gerrera/afro, illustration");
        assertThat(Files.readString(leaf.resolve("in_dist_prompts.txt"))).isEqualTo("fck man, afro, illustration, beard\n");
        assertThat(Files.readString(leaf.resolve("triggeronly.txt"))).isEqualTo("fck man, afro, illustration\n");
        assertThat(r.out()).contains("wrote 2 prompt files");
    }

    @Test
    void badConfigsAreOneLineErrors() throws Exception {
        Path typo = config("imagez = 3");
        CliRun r = run("eval", "--config", typo.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("lycoris: " + typo + ": unknown key 'imagez' (known: agnostic_prompts, caption_extension, "
                + "checkpoints, classes, dataset, encoders, generation, images, model, output, prompt_types, prompts, results, tokenizer)"
                + System.lineSeparator());
        CliRun missing = run("eval", "--config", dir.resolve("none.toml").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).startsWith("lycoris: config not found: ");
    }

    @Test
    void dreambenchChecksSubjectsBeforeLoadingAnything() {
        CliRun r = run("dreambench", "--model", "m", "--dataset", "d", "--clip", "c", "--dino", "x", "-o", dir.toString(),
                "--subjects", "dog,dog4");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("lycoris: unknown DreamBench subject 'dog4'");
        CliRun usage = run("dreambench", "--model", "m", "--dataset", "d", "-o", dir.toString());
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("--clip");
    }
}
