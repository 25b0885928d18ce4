package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Whole runs on the embedded tiny model (the runs of {@link TrainerTest}) with {@code mixed_precision} bf16 and fp16,
 * against an fp32 run of the same seed.
 */
class MixedPrecisionTrainingTest {
    @TempDir
    static Path shared;
    private static Path model;
    private static Path data;
    private static Path fp32;
    /** One uninterrupted run per precision, made by the first test that needs it. */
    private static final Map<MixedPrecision, Path> RUNS = new EnumMap<>(MixedPrecision.class);

    @TempDir
    Path dir;

    @BeforeAll
    static void modelDataAndAnFp32Run() throws Exception {
        torch.set_num_threads(1);
        model = TinyModel.build(shared.resolve("model"));
        data = TrainerTest.images(shared.resolve("data"));
        fp32 = shared.resolve("run-no");
        new Trainer(args(fp32, MixedPrecision.NO).resolve(s -> {}), TrainerTest.QUIET).run(false);
    }

    private static TrainArgs args(Path out, MixedPrecision precision) {
        return TrainerTest.args(model, data, shared.resolve("cache"), out).put("mixed_precision", precision.kohyaName(), "test");
    }

    private static synchronized Path run(MixedPrecision precision) throws Exception {
        Path out = RUNS.get(precision);
        if (out == null) {
            out = shared.resolve("run-" + precision.kohyaName());
            Trainer.Result r = new Trainer(args(out, precision).resolve(s -> {}), TrainerTest.QUIET).run(false);
            assertThat(r.outcome()).isEqualTo(Trainer.Outcome.FINISHED);
            assertThat(r.steps()).isEqualTo(6);
            RUNS.put(precision, out);
        }
        return out;
    }

    private static double firstLoss(Path run) throws Exception {
        return Double.parseDouble(Files.readAllLines(run.resolve(Trainer.LOG)).get(1).split(",")[2]);
    }

    @ParameterizedTest
    @EnumSource(value = MixedPrecision.class, names = {"BF16", "FP16"})
    void adaptersStayFp32AndTheFirstLossIsCloseToTheFp32Runs(MixedPrecision precision) throws Exception {
        Path run = run(precision);
        // Step 1 sees the same noise, timesteps and (zero-initialised lora_up, so unchanged) adapters as fp32; only
        // the half-precision forward differs: bf16 keeps 8 bits of mantissa (2⁻⁸ ≈ 4e-3 per rounding), fp16 11.
        assertThat(firstLoss(run)).isCloseTo(firstLoss(fp32), within(2e-2 * firstLoss(fp32)))
                .as("the forward ran in half precision").isNotEqualTo(firstLoss(fp32));
        TrainState state = TrainState.read(TrainState.file(run));
        for (Map.Entry<String, Tensor> e : state.adapter().entrySet()) {
            assertThat(Tensors.dtype(e.getValue())).as(e.getKey()).isEqualTo(DType.F32);
        }
        assertThat(state.lossScale() != null).isEqualTo(precision == MixedPrecision.FP16);
        try (SafetensorsFile f = SafetensorsFile.open(run.resolve(Trainer.FINAL_ADAPTER))) {
            assertThat(f.metadata()).containsEntry("ss_mixed_precision", precision.kohyaName());
            double upNorm = 0;
            for (Map.Entry<String, Tensor> e : f.loadAll().entrySet()) {
                assertThat(Tensors.dtype(e.getValue())).as(e.getKey()).isEqualTo(DType.F32);
                if (e.getKey().endsWith("lora_up.weight")) upNorm += e.getValue().abs().sum().item_double();
            }
            assertThat(upNorm).as("training moved lora_up away from its zero start").isPositive();
        }
    }

    @Test
    void kohyasNamesResolveAndTheVaeStaysFp32UnlessAsked() throws Exception {
        TrainConfig plain = TrainerTest.args(model, data, shared.resolve("cache"), dir.resolve("a")).resolve(s -> {});
        assertThat(plain.mixedPrecision()).isEqualTo(MixedPrecision.NO);
        assertThat(plain.noHalfVae()).isTrue();
        TrainConfig halfVae = args(dir.resolve("b"), MixedPrecision.FP16).put("no_half_vae", "false", "--no_half_vae").resolve(s -> {});
        assertThat(halfVae.mixedPrecision()).isEqualTo(MixedPrecision.FP16);
        assertThat(halfVae.noHalfVae()).isFalse();
        assertThat(MixedPrecision.parse(" BF16")).isEqualTo(MixedPrecision.BF16);
        assertThatThrownBy(() -> args(dir.resolve("c"), MixedPrecision.NO).put("mixed_precision", "fp32", "--mixed_precision").resolve(s -> {}))
                .hasMessage("--mixed_precision: mixed_precision must be no, fp16 or bf16, got 'fp32'");

        for (boolean half : new boolean[] {false, true}) {
            StableDiffusion sd = SdLoader.load(model, SdLoader.Options.defaults());
            MixedPrecision.BF16.castFrozen(sd, half);
            for (Map.Entry<String, Module> c : sd.components().entrySet()) {
                DType expected = c.getKey().equals("vae") && !half ? DType.F32 : DType.BF16;
                for (Map.Entry<String, Tensor> t : c.getValue().stateDict().entrySet()) {
                    if (t.getValue().is_floating_point()) assertThat(Tensors.dtype(t.getValue())).as(c.getKey() + "." + t.getKey()).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void aHalfVaeEncodesLatentsOfItsOwn() throws Exception {
        Path cache = shared.resolve("cache");
        long fp32Entries = count(cache);
        Path out = dir.resolve("half-vae");
        new Trainer(args(out, MixedPrecision.BF16).put("no_half_vae", "false", "test").put("max_train_steps", "1", "test")
                .resolve(s -> {}), TrainerTest.QUIET).run(false);
        // The VAE's dtype is part of the cache key: the bf16 VAE's latents are new entries beside the fp32 ones.
        assertThat(count(cache)).isEqualTo(2 * fp32Entries);
    }

    private static long count(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void theAdapterFileHasTheSavePrecisionNotTheTrainingOne() throws Exception {
        Path out = dir.resolve("run-bf16-saved-fp16");
        new Trainer(args(out, MixedPrecision.BF16).put("save_precision", "fp16", "test").put("max_train_steps", "1", "test")
                .resolve(s -> {}), TrainerTest.QUIET).run(false);
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(Trainer.FINAL_ADAPTER))) {
            for (Map.Entry<String, Tensor> e : f.loadAll().entrySet()) {
                assertThat(Tensors.dtype(e.getValue())).as(e.getKey()).isEqualTo(DType.F16);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = MixedPrecision.class, names = {"BF16", "FP16"})
    void twoRunsWithTheSameSeedWriteIdenticalAdaptersAndSamplingWorks(MixedPrecision precision) throws Exception {
        Path again = dir.resolve("again");
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "red toy --s 2\n");
        new Trainer(args(again, precision).put("sample_prompts", prompts.toString(), "test").put("sample_every_n_steps", "3", "test")
                .resolve(s -> {}), TrainerTest.QUIET).run(false);
        TrainerTest.assertSameTensors(run(precision).resolve(Trainer.FINAL_ADAPTER), again.resolve(Trainer.FINAL_ADAPTER));
        assertThat(TrainerTest.logWithoutSeconds(again)).isEqualTo(TrainerTest.logWithoutSeconds(run(precision)));
        assertThat(again.resolve("samples/000003-00.png")).isRegularFile();
        assertThat(again.resolve("samples/000006-00.png")).isRegularFile();
    }

    @ParameterizedTest
    @EnumSource(value = MixedPrecision.class, names = {"BF16", "FP16"})
    void aRunStoppedAtStepThreeAndResumedEqualsTheUninterruptedRun(MixedPrecision precision) throws Exception {
        Path out = dir.resolve("stopped");
        List<Trainer> trainer = new ArrayList<>();
        trainer.add(new Trainer(args(out, precision).resolve(s -> {}), new TrainListener() {
            @Override public void message(String line) {}
            @Override public void step(StepReport report) {
                if (report.step() == 3) trainer.getFirst().requestStop();
            }
        }));
        assertThat(trainer.getFirst().run(false).outcome()).isEqualTo(Trainer.Outcome.INTERRUPTED);
        assertThat(TrainState.read(TrainState.file(out)).lossScale() != null).isEqualTo(precision == MixedPrecision.FP16);

        Trainer.Result finished = new Trainer(TrainArgs.forResume(out, new TrainArgs()).resolve(s -> {}), TrainerTest.QUIET).run(true);
        assertThat(finished.steps()).isEqualTo(6);
        TrainerTest.assertSameTensors(run(precision).resolve(Trainer.FINAL_ADAPTER), out.resolve(Trainer.FINAL_ADAPTER));
        assertThat(TrainerTest.logWithoutSeconds(out)).isEqualTo(TrainerTest.logWithoutSeconds(run(precision)));
        assertThat(TrainState.read(TrainState.file(out)).lossScale())
                .isEqualTo(TrainState.read(TrainState.file(run(precision))).lossScale());
    }
}
