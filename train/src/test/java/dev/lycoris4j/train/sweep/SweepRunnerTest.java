package dev.lycoris4j.train.sweep;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.analysis.Analysis;
import dev.lycoris4j.eval.analysis.AnalysisOptions;
import dev.lycoris4j.eval.analysis.CsvTable;
import dev.lycoris4j.eval.analysis.ReportWriter;
import dev.lycoris4j.train.trainer.TrainState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Whole sweeps on the embedded tiny model, trained in this JVM: LoRA and LoHa × learning rates 1e-3 and 5e-4 × seed
 * 7, UNet attention layers only, two 64-pixel images at batch 1 (2 steps per epoch), checkpoints at epochs 1 and 2, each evaluated on one dataset
 * leaf with one image of its first training caption (64 pixels, 2 sampling steps, the tiny DINOv2).
 */
class SweepRunnerTest {
    @TempDir
    static Path shared;
    private static SweepConfig uninterrupted;
    private static SweepRunner.Result uninterruptedResult;
    private static InProcessLauncher uninterruptedLauncher;

    @TempDir
    Path dir;

    private static final List<String> RUNS = List.of("lora-lr1e-3-seed7", "lora-lr5e-4-seed7", "loha-lr1e-3-seed7", "loha-lr5e-4-seed7");

    @BeforeAll
    static void dataAndAnUninterruptedSweep() throws IOException {
        Path train = Files.createDirectories(shared.resolve("data/train/1_scene"));
        Path leaf = Files.createDirectories(shared.resolve("data/eval/scene/scene_canal"));
        String[][] images = {{"img0_320x240", "shld scene, front view"}, {"img1_229x347", "shld scene, bare tree"}};
        for (String[] image : images) {
            for (Path folder : List.of(train, leaf)) {
                Files.copy(Golden.path("eval/images/" + image[0] + ".png"), folder.resolve(image[0] + ".png"));
                Files.writeString(folder.resolve(image[0] + ".txt"), image[1] + "\n");
            }
        }
        uninterruptedLauncher = new InProcessLauncher((run, step) -> {});
        uninterrupted = SweepToml.read(sweepFile(shared, "a", 2));
        uninterruptedResult = new SweepRunner(uninterrupted, uninterruptedLauncher, line -> {}).run();
    }

    /** The sweep file, with its output in {@code output} and LoRA's network_dim {@code loraDim}. */
    private static Path sweepFile(Path folder, String output, int loraDim) throws IOException {
        Path data = shared.resolve("data");
        return Files.writeString(folder.resolve(output + ".toml"), """
                output = "%s"
                seeds = [7]
                epochs = [2, 1]
                [train]
                train_data_dir = "%s"
                resolution = "64"
                train_batch_size = 1
                preset = "attn-only"
                network_train_unet_only = true
                [[algorithms]]
                algo = "lora"
                network_dim = %d
                network_alpha = 1
                [[algorithms]]
                algo = "loha"
                network_dim = 2
                network_alpha = 1
                [vary]
                learning_rate = [1e-3, 5e-4]
                [eval]
                dataset = "%s"
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
                """.formatted(output, data.resolve("train"), loraDim, data.resolve("eval"),
                Golden.data("lycoris-eval-prompts.json"), Golden.path("eval/dinov2_tiny")));
    }

    @Test
    void theGridTrainsEveryRunToItsCheckpointsAndWritesLabelledRowsThatTheAnalysisReads() throws IOException {
        assertThat(uninterruptedResult).isEqualTo(new SweepRunner.Result(SweepRunner.Outcome.COMPLETED, 4, 4, List.of()));
        assertThat(uninterruptedLauncher.launches).containsExactlyElementsOf(RUNS);
        Path runs = shared.resolve("a/runs");
        try (Stream<Path> folders = Files.list(runs)) {
            assertThat(folders.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactlyElementsOf(RUNS.stream().sorted().toList());
        }
        for (String run : RUNS) {
            Path folder = runs.resolve(run);
            assertThat(folder.resolve("train.toml")).isRegularFile();
            // epoch 1 is a checkpoint, epoch 2 the final adapter: no epoch-2 checkpoint
            assertThat(metadata(folder.resolve("adapter-epoch-001.safetensors"))).containsEntry("ss_epoch", "1").containsEntry("ss_steps", "2");
            assertThat(metadata(folder.resolve("adapter.safetensors"))).containsEntry("ss_epoch", "2").containsEntry("ss_steps", "4");
            assertThat(folder.resolve("adapter-epoch-002.safetensors")).doesNotExist();
        }

        Path results = shared.resolve("a/eval/results.csv");
        CsvTable csv = CsvTable.read(results);
        int images = csv.column("images");
        List<String> labels = new ArrayList<>();
        for (CsvTable.Row row : csv.rows()) {
            labels.add(String.join(",", row.cells().subList(0, 12)));
            // The labels agree with what the trainer wrote into the adapter file the row's images were made with.
            String checkpoint = row.cell(images).split("/")[0];
            String run = checkpoint.substring(0, checkpoint.lastIndexOf("-e"));
            String file = row.cell(7).equals("1") ? "adapter-epoch-001.safetensors" : "adapter.safetensors";
            Map<String, String> meta = metadata(runs.resolve(run).resolve(file));
            assertThat(Double.parseDouble(meta.get("ss_learning_rate"))).isEqualTo(Double.parseDouble(row.cell(2)));
            assertThat(meta.get("ss_network_dim")).isEqualTo(row.cell(3));
            assertThat(meta.get("ss_seed")).isEqualTo(row.cell(6));
            assertThat(meta.get("ss_epoch")).isEqualTo(row.cell(7));
            assertThat(meta.get("ss_network_args")).contains("\"algo\":\"" + row.cell(0) + "\"");
            assertThat(row.cell(images)).isEqualTo(checkpoint + "/scene/scene_canal/train");
        }
        assertThat(labels).containsExactly(
                "lora,attn-only,0.001,2,1,,7,1,scene,scene_canal,,in", "lora,attn-only,0.001,2,1,,7,2,scene,scene_canal,,in",
                "lora,attn-only,0.0005,2,1,,7,1,scene,scene_canal,,in", "lora,attn-only,0.0005,2,1,,7,2,scene,scene_canal,,in",
                "loha,attn-only,0.001,2,1,,7,1,scene,scene_canal,,in", "loha,attn-only,0.001,2,1,,7,2,scene,scene_canal,,in",
                "loha,attn-only,0.0005,2,1,,7,1,scene,scene_canal,,in", "loha,attn-only,0.0005,2,1,,7,2,scene,scene_canal,,in");
        for (CsvTable.Row row : csv.rows()) {
            assertThat(csv.number(row, csv.column("Image Similarity (dinov2-tiny-padding)"))).isBetween(-1.0, 1.0);
            // one image per row: Vendi is exactly 1
            assertThat(csv.number(row, csv.column("Vendi (dinov2-tiny)"))).isCloseTo(1.0, within(1e-9));
        }

        Analysis.Result analysis = Analysis.run(AnalysisOptions.of(results, null, dir.resolve("report")));
        assertThat(analysis.table().rows()).hasSize(8);
        assertThat(analysis.table().configs()).hasSize(4);
        assertThat(ReportWriter.write(analysis)).isRegularFile();
    }

    @Test
    void anInterruptedSweepResumesWithoutRetrainingAndEndsWithTheSameResults() throws IOException {
        // Stopped at step 3 of the second run, as Ctrl-C would stop it.
        SweepRunner[] runner = new SweepRunner[1];
        InProcessLauncher stopping = new InProcessLauncher((run, step) -> {
            if (run.equals(RUNS.get(1)) && step == 3) runner[0].requestStop();
        });
        List<String> log = new ArrayList<>();
        SweepConfig config = SweepToml.read(sweepFile(dir, "b", 2));
        runner[0] = new SweepRunner(config, stopping, log::add);
        assertThat(runner[0].run()).isEqualTo(new SweepRunner.Result(SweepRunner.Outcome.STOPPED, 1, 1, List.of()));
        assertThat(log).anyMatch(l -> l.startsWith("sweep stopped during the training of " + RUNS.get(1))
                && l.contains("continue with: lycoris sweep --config " + dir.resolve("b.toml")));
        Path runs = dir.resolve("b/runs");
        assertThat(new SweepRunner(config, stopping, log::add).status()).extracting(RunStatus::state, RunStatus::step).containsExactly(
                org.assertj.core.groups.Tuple.tuple(RunStatus.State.FINISHED, 4L),
                org.assertj.core.groups.Tuple.tuple(RunStatus.State.INTERRUPTED, 3L),
                org.assertj.core.groups.Tuple.tuple(RunStatus.State.NOT_STARTED, 0L),
                org.assertj.core.groups.Tuple.tuple(RunStatus.State.NOT_STARTED, 0L));
        assertThat(TrainState.readStep(TrainState.file(runs.resolve(RUNS.get(1))))).isEqualTo(3);
        assertThat(CsvTable.read(dir.resolve("b/eval/results.csv")).rows()).hasSize(2);

        // The third run died before its first state, leaving files behind; the first run's files must stay as they are.
        Path third = Files.createDirectories(runs.resolve(RUNS.get(2)));
        Files.writeString(third.resolve("adapter-epoch-001.safetensors"), "torn");
        Files.writeString(third.resolve("train-log.csv"), "step,epoch\n1,1\n");
        Map<Path, FileTime> times = new HashMap<>();
        Map<Path, byte[]> bytes = new HashMap<>();
        try (Stream<Path> files = Files.walk(runs.resolve(RUNS.getFirst()))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                times.put(f, Files.getLastModifiedTime(f));
                bytes.put(f, Files.readAllBytes(f));
            }
        }

        // A sweep file that changes the trained runs is refused before anything trains.
        InProcessLauncher resuming = new InProcessLauncher((run, step) -> {});
        SweepConfig changed = SweepToml.read(sweepFile(dir, "b", 4));
        assertThatThrownBy(() -> new SweepRunner(changed, resuming, log::add).run()).hasMessage(dir.resolve("b.toml")
                + " now gives other training settings than runs " + RUNS.get(0) + " (network_dim: '2' → '4'), " + RUNS.get(1)
                + " (network_dim: '2' → '4') trained with; restore them, or delete those run folders to train them anew, "
                + "or sweep into another output");
        assertThat(resuming.launches).isEmpty();

        SweepRunner.Result resumed = new SweepRunner(config, resuming, log::add).run();
        assertThat(resumed).isEqualTo(new SweepRunner.Result(SweepRunner.Outcome.COMPLETED, 3, 4, List.of()));
        assertThat(resuming.launches).containsExactly(RUNS.get(1) + " resume", RUNS.get(2), RUNS.get(3));
        for (Map.Entry<Path, FileTime> f : times.entrySet()) {
            assertThat(Files.getLastModifiedTime(f.getKey())).as(f.getKey().toString()).isEqualTo(f.getValue());
            assertThat(Files.readAllBytes(f.getKey())).as(f.getKey().toString()).isEqualTo(bytes.get(f.getKey()));
        }
        assertThat(metadata(third.resolve("adapter-epoch-001.safetensors"))).containsEntry("ss_epoch", "1");
        assertThat(Files.readAllLines(third.resolve("train-log.csv"))).hasSize(5);

        // Label by label and value by value, the results are those of the uninterrupted sweep.
        CsvTable expected = CsvTable.read(shared.resolve("a/eval/results.csv"));
        CsvTable actual = CsvTable.read(dir.resolve("b/eval/results.csv"));
        assertThat(actual.header()).isEqualTo(expected.header());
        assertThat(actual.rows()).hasSameSizeAs(expected.rows());
        for (int r = 0; r < expected.rows().size(); r++) {
            for (int c = 0; c < expected.header().size(); c++) {
                String want = expected.rows().get(r).cell(c);
                String got = actual.rows().get(r).cell(c);
                if (c >= 12 && c != expected.column("images")) {
                    assertThat(Double.parseDouble(got)).as(expected.header().get(c)).isCloseTo(Double.parseDouble(want), within(1e-9));
                } else {
                    assertThat(got).isEqualTo(want);
                }
            }
        }

        // Everything done: a third invocation trains nothing and scores nothing.
        InProcessLauncher idle = new InProcessLauncher((run, step) -> {});
        assertThat(new SweepRunner(config, idle, log::add).run())
                .isEqualTo(new SweepRunner.Result(SweepRunner.Outcome.COMPLETED, 0, 4, List.of()));
        assertThat(idle.launches).isEmpty();
    }

    @Test
    void aFailedRunIsReportedAndTheSweepGoesOnWithTheOthers() throws IOException {
        SweepConfig config = SweepToml.read(sweepFile(dir, "c", 2));
        List<String> launched = new ArrayList<>();
        RunLauncher failing = new RunLauncher() {
            @Override
            public Result train(Path runDir, boolean resume, java.util.function.Consumer<String> progress) {
                launched.add(runDir.getFileName().toString());
                return Result.failed("exit code 1 (whole output: " + runDir.resolve("train.out") + ")");
            }

            @Override
            public void requestStop() {}
        };
        List<String> log = new ArrayList<>();
        SweepRunner.Result r = new SweepRunner(config, failing, log::add).run();
        assertThat(r.outcome()).isEqualTo(SweepRunner.Outcome.FAILED);
        assertThat(launched).containsExactlyElementsOf(RUNS);
        assertThat(r.failures()).containsExactly(RUNS.stream()
                .map(run -> run + ": exit code 1 (whole output: " + dir.resolve("c/runs").resolve(run).resolve("train.out") + ")")
                .toArray(String[]::new));
        assertThat(log).contains("[" + RUNS.getFirst() + "] FAILED: exit code 1 (whole output: "
                + dir.resolve("c/runs").resolve(RUNS.getFirst()).resolve("train.out") + ")");
        assertThat(dir.resolve("c/eval/results.csv")).doesNotExist();
        // each run got its train.toml, which lycoris train reads back to the run's arguments
        for (SweepConfig.Run run : config.runs()) {
            assertThat(dev.lycoris4j.train.trainer.TrainArgs.fromFile(run.dir().resolve("train.toml")).values()).isEqualTo(run.args());
        }
    }

    private static Map<String, String> metadata(Path adapter) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(adapter)) {
            return f.metadata();
        }
    }
}
