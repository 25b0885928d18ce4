package dev.lycoris4j.cli;

import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.analysis.CsvTable;
import dev.lycoris4j.train.trainer.TrainState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.lycoris4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lycoris sweep} as a command: training in real child processes (stopped by Ctrl-C on the sweep, then
 * resumed; a failing one reported), the dry-run listing, and one-line errors.
 */
class SweepCommandTest {
    @TempDir
    Path dir;

    /**
     * One LoRA run, seed 3, on two 64-pixel images repeated 5 times at batch 1 (10 steps per epoch), checkpoints at
     * epochs 1 and 2 (20 steps), evaluated with one image per checkpoint on one leaf.
     */
    private Path sweep(String train) throws IOException {
        Path images = dir.resolve("data/train/5_scene");
        Path leaf = dir.resolve("data/eval/scene/scene_canal");
        for (Path folder : List.of(images, leaf)) {
            if (Files.isDirectory(folder)) continue;
            Files.createDirectories(folder);
            Files.copy(Golden.path("eval/images/img0_320x240.png"), folder.resolve("img0.png"));
            Files.writeString(folder.resolve("img0.txt"), "shld scene, front view\n");
            Files.copy(Golden.path("eval/images/img1_229x347.png"), folder.resolve("img1.png"));
            Files.writeString(folder.resolve("img1.txt"), "shld scene, bare tree\n");
        }
        return Files.writeString(dir.resolve("sweep.toml"), """
                output = "out"
                seeds = [3]
                epochs = [2, 1]
                [train]
                %s
                resolution = "64"
                train_batch_size = 1
                preset = "attn-only"
                network_train_unet_only = true
                [[algorithms]]
                algo = "lora"
                network_dim = 2
                network_alpha = 1
                learning_rate = 1e-3
                [eval]
                dataset = "data/eval"
                prompts = "%s"
                prompt_types = ["train"]
                images = 1
                [eval.generation]
                steps = 2
                width = 64
                height = 64
                [eval.encoders]
                dino = "%s"
                dino_size = 32
                dino_label = "dinov2-tiny"
                reference_modes = ["padding"]
                """.formatted(train, Golden.data("lycoris-eval-prompts.json"), Golden.path("eval/dinov2_tiny")));
    }

    @Test
    void ctrlCAndKill9OnTheSweepLeaveTheRunResumableAndTheSameCommandFinishesIt() throws Exception {
        Path config = sweep("train_data_dir = \"data/train\"");
        Path runDir = dir.resolve("out/runs/lora-seed3");

        // Ctrl-C on the sweep alone (SIGINT to its JVM, not to the training child's): it stops the child, which saves.
        List<String> lines = new ArrayList<>();
        Process sweep = startSweep(config, lines, "[lora-seed3] step 3/20", "-INT").sweep();
        assertThat(sweep.waitFor()).as(String.join("\n", lines)).isEqualTo(130);
        assertThat(lines).anyMatch(l -> l.startsWith("sweep stopped during the training of lora-seed3 (its state is saved); "
                + "continue with: lycoris sweep --config " + config));
        long step = TrainState.readStep(TrainState.file(runDir));
        assertThat(step).isBetween(3L, 19L);
        assertThat(runDir.resolve("adapter.safetensors")).doesNotExist();
        String firstOutput = Files.readString(runDir.resolve("train.out"));
        assertThat(firstOutput).contains("lycoris train --config " + runDir.resolve("train.toml")).contains("stopped at step " + step);

        CliRun listing = run("sweep", "--config", config.toString(), "--dry-run");
        assertThat(listing.code()).as(listing.err()).isZero();
        assertThat(listing.out()).contains("1 run, checkpoint epochs [1, 2]")
                .contains("lora-seed3  lora attn-only lr 0.001 dim 2 alpha 1 factor - seed 3: interrupted at step " + step + ", resumes");

        // kill -9 on the sweep while it resumes: its orphaned child must not train on unseen for long; it sees its
        // parent gone and stops (or, if faster, finishes), and the next sweep waits for it before touching the run.
        lines.clear();
        Signalled killed = startSweep(config, lines, "[lora-seed3] step " + (step + 1) + "/20", "-KILL");
        assertThat(killed.sweep().waitFor()).isEqualTo(137);
        assertThat(killed.children()).isNotEmpty();
        assertThat(lines).contains("[lora-seed3] resuming from step " + step);

        CliRun resumed = run("sweep", "--config", config.toString());
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(killed.children()).noneMatch(ProcessHandle::isAlive);
        assertThat(resumed.out()).contains("analyse the results with: lycoris analyze " + dir.resolve("out/eval/results.csv"));
        String output = Files.readString(runDir.resolve("train.out"));
        assertThat(output).startsWith(firstOutput).contains("lycoris train --resume " + runDir)
                .contains("resuming at step " + step).contains("finished 20 steps");
        assertThat(runDir.resolve("adapter-epoch-001.safetensors")).isRegularFile();
        assertThat(runDir.resolve("adapter.safetensors")).isRegularFile();
        CsvTable csv = CsvTable.read(dir.resolve("out/eval/results.csv"));
        assertThat(csv.rows()).extracting(row -> String.join(",", row.cells().subList(0, 12))).containsExactly(
                "lora,attn-only,0.001,2,1,,3,1,scene,scene_canal,,in", "lora,attn-only,0.001,2,1,,3,2,scene,scene_canal,,in");

        CliRun report = run("analyze", dir.resolve("out/eval/results.csv").toString(), "-o", dir.resolve("report").toString());
        assertThat(report.code()).as(report.err()).isZero();
        assertThat(report.out()).contains("analysed 2 rows (1 configurations)");
    }

    /** A sweep run in its own JVM, and its child processes when it got the signal. */
    private record Signalled(Process sweep, List<ProcessHandle> children) {}

    /** Runs {@code lycoris sweep} in its own JVM, collecting its output, and sends it {@code signal} at the line {@code at}. */
    private static Signalled startSweep(Path config, List<String> lines, String at, String signal) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(SweepCommand.lycorisCommand());
        command.addAll(List.of("sweep", "--config", config.toString()));
        Process sweep = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<ProcessHandle> children = new ArrayList<>();
        try (BufferedReader r = sweep.inputReader(StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith(at)) {
                    children.addAll(sweep.toHandle().descendants().toList());
                    new ProcessBuilder("kill", signal, Long.toString(sweep.pid())).start().waitFor();
                }
            }
        }
        return new Signalled(sweep, children);
    }

    @Test
    void aCrashingTrainingIsReportedWithItsOutputAndTheSweepFailsWithOneLine() throws Exception {
        Path config = sweep("train_data_dir = \"data/missing\"");
        Path runDir = dir.resolve("out/runs/lora-seed3");
        CliRun r = run("sweep", "--config", config.toString());
        assertThat(r.code()).isEqualTo(1);
        String reason = "exit code 1, last output: lycoris: training data folder not found: " + dir.resolve("data/missing")
                + " (whole output: " + runDir.resolve("train.out") + ")";
        assertThat(r.out()).contains("[lora-seed3] FAILED: " + reason);
        assertThat(r.err()).isEqualTo("lycoris: 1 of 1 runs failed (lora-seed3: " + reason + "); run the sweep again to retry them"
                + System.lineSeparator());
        assertThat(Files.readString(runDir.resolve("train.out"))).contains("lycoris: training data folder not found");
        assertThat(dir.resolve("out/eval/results.csv")).doesNotExist();
    }

    @Test
    void badInputIsAOneLineError() throws Exception {
        Path config = sweep("train_data_dir = \"data/train\"\nnetwork_dimm = 4");
        CliRun typo = run("sweep", "--config", config.toString());
        assertThat(typo.code()).isEqualTo(1);
        assertThat(typo.err()).startsWith("lycoris: " + config + " [train]: unknown training argument 'network_dimm' (known: ");
        assertThat(typo.err().lines().count()).isEqualTo(1);

        Path vary = Files.writeString(dir.resolve("vary.toml"), Files.readString(sweep("train_data_dir = \"data/train\""))
                + "[vary]\nnetwork_dim = [2, 4]\nnetwork_alpha = [1]\n");
        CliRun twoKeys = run("sweep", "--config", vary.toString());
        assertThat(twoKeys.code()).isEqualTo(1);
        assertThat(twoKeys.err()).isEqualTo("lycoris: " + vary + ": [vary] varies exactly one hyperparameter, got network_dim, "
                + "network_alpha" + System.lineSeparator());

        CliRun missing = run("sweep", "--config", dir.resolve("none.toml").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip()).isEqualTo("lycoris: sweep config not found: " + dir.resolve("none.toml"));

        CliRun usage = run("sweep");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err().lines().count()).isEqualTo(1);
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
