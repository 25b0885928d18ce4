package dev.lycoris4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.lycoris4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code lycoris train} end to end in process: the built-in default, interplay with other commands, errors. */
class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void withoutModelAndDataItTrainsTheBuiltInModelOnTheExampleAndTheResultWorksWithTheOtherCommands() {
        Path out = dir.resolve("out");
        CliRun r = run("train", "-o", out.toString(), "--max_train_steps", "3", "--save_every_n_steps", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("training on the example dataset").contains("step 3/3").contains("finished 3 steps");
        assertThat(out.resolve("adapter.safetensors")).isRegularFile();
        assertThat(out.resolve("adapter-step-000002.safetensors")).isRegularFile();
        assertThat(out.resolve("model/model_index.json")).isRegularFile();

        CliRun inspect = run("inspect", out.resolve("adapter.safetensors").toString());
        assertThat(inspect.code()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("lora_unet_").contains("lora_te_");

        Path png = dir.resolve("circle.png");
        CliRun generate = run("generate", "--model", out.resolve("model").toString(), "--prompt", "a red circle",
                "--adapter", out.resolve("adapter.safetensors").toString(), "--steps", "2", "--seed", "1", "-o", png.toString());
        assertThat(generate.code()).as(generate.err()).isZero();
        assertThat(png).isRegularFile();
    }

    @Test
    void aTerminatedRunSavesItsStateOnTheWayOutAndResumes() throws Exception {
        Path out = dir.resolve("stopped");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "-o", out.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                // Ctrl-C: SIGINT to the JVM, which runs the shutdown hooks
                if (line.startsWith("step 20/")) new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            }
        }
        p.waitFor();
        assertThat(lines).anyMatch(l -> l.startsWith("stopped at step") && l.contains("--resume " + out));
        assertThat(out.resolve("adapter.safetensors")).doesNotExist();
        assertThat(out.resolve("state/state.safetensors")).isRegularFile();

        CliRun resumed = run("train", "--resume", out.toString(), "--max_train_steps", "24");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resuming at step").contains("finished 24 steps");
        assertThat(out.resolve("adapter.safetensors")).isRegularFile();
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        Path out = dir.resolve("out");
        CliRun dim = run("train", "-o", out.toString(), "--network_dim", "four");
        assertThat(dim.code()).isEqualTo(1);
        assertThat(dim.err().strip()).isEqualTo("lycoris: --network_dim: network_dim must be an integer, got 'four'");

        CliRun data = run("train", "-o", out.toString(), "--data", dir.resolve("missing").toString());
        assertThat(data.code()).isEqualTo(1);
        assertThat(data.err().strip()).isEqualTo("lycoris: training data folder not found: " + dir.resolve("missing"));

        CliRun resume = run("train", "--resume", dir.resolve("nothing").toString());
        assertThat(resume.code()).isEqualTo(1);
        assertThat(resume.err().strip()).startsWith("lycoris: no training state to resume");

        CliRun unknown = run("train", "--network_dimm", "4");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err().lines().count()).isEqualTo(1);
    }

    @Test
    void mixedPrecisionIsKohyasFlag() {
        Path out = dir.resolve("bf16");
        CliRun r = run("train", "-o", out.toString(), "--max_train_steps", "1", "--mixed_precision", "bf16");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("mixed precision bf16: UNet and text encoder in bf16, VAE in fp32, adapters in fp32")
                .contains("finished 1 steps");

        CliRun bad = run("train", "-o", dir.resolve("fp8").toString(), "--mixed_precision", "fp8");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().strip()).isEqualTo("lycoris: --mixed_precision: mixed_precision must be no, fp16 or bf16, got 'fp8'");
    }
}
