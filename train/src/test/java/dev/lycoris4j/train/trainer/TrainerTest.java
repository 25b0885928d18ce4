package dev.lycoris4j.train.trainer;

import dev.lycoris4j.adapters.io.SshsHash;
import dev.lycoris4j.core.io.ProcessLock;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.train.data.Sha256;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Whole runs on the embedded tiny model: 3 images × 2 repeats in batches of 2 with 2-batch accumulation (2 steps per
 * epoch, the second one short), text encoder and UNet adapters, cosine schedule with warm-up, caption dropout and
 * shuffling, 6 steps.
 */
class TrainerTest {
    @TempDir
    static Path shared;
    private static Path model;
    private static Path data;
    private static Path uninterrupted;

    @TempDir
    Path dir;

    @BeforeAll
    static void modelDataAndAnUninterruptedRun() throws Exception {
        // The tiny model's ops are too small to gain from libtorch's threads (they cost several times more on a busy
        // machine); the results do not depend on the thread count.
        torch.set_num_threads(1);
        model = TinyModel.build(shared.resolve("model"));
        data = images(shared.resolve("data"));
        uninterrupted = shared.resolve("run-a");
        Trainer.Result r = new Trainer(args(uninterrupted).resolve(s -> {}), QUIET).run(false);
        assertThat(r.outcome()).isEqualTo(Trainer.Outcome.FINISHED);
        assertThat(r.steps()).isEqualTo(6);
    }

    static final TrainListener QUIET = new TrainListener() {
        @Override public void message(String line) {}
        @Override public void step(StepReport report) {}
    };

    static TrainArgs args(Path out) {
        return args(model, data, shared.resolve("cache"), out);
    }

    /** The runs' arguments, on a tiny model and the images {@link #images} wrote. */
    static TrainArgs args(Path model, Path data, Path cache, Path out) {
        TrainArgs a = new TrainArgs();
        Map<String, String> m = Map.ofEntries(Map.entry("pretrained_model_name_or_path", model.toString()),
                Map.entry("train_data_dir", data.toString()), Map.entry("output_dir", out.toString()),
                Map.entry("resolution", "64"), Map.entry("train_batch_size", "2"), Map.entry("gradient_accumulation_steps", "2"),
                Map.entry("network_dim", "2"), Map.entry("learning_rate", "1e-3"), Map.entry("lr_scheduler", "cosine"),
                Map.entry("lr_warmup_steps", "2"), Map.entry("max_train_steps", "6"), Map.entry("seed", "123"),
                Map.entry("save_every_n_epochs", "1"), Map.entry("caption_dropout_rate", "0.3"),
                Map.entry("shuffle_caption", "true"), Map.entry("latent_cache_dir", cache.toString()));
        m.forEach((k, v) -> a.put(k, v, "test"));
        return a;
    }

    /** Three random images, two with captions, in {@code dir/2_toy}; returns {@code dir}. */
    static Path images(Path dir) throws IOException {
        image(dir.resolve("2_toy/a.png"), 64, 64, 1, "red toy, table, sunny");
        image(dir.resolve("2_toy/b.png"), 96, 64, 2, "blue toy, floor");
        image(dir.resolve("2_toy/c.png"), 64, 64, 3, null);
        return dir;
    }

    private static void image(Path file, int w, int h, long seed, String caption) throws IOException {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random rng = new Random(seed);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) im.setRGB(x, y, rng.nextInt(1 << 24));
        Files.createDirectories(file.getParent());
        ImageIO.write(im, "png", file.toFile());
        if (caption != null) Files.writeString(file.resolveSibling(file.getFileName().toString().replace(".png", ".txt")), caption);
    }

    static Map<String, Tensor> tensors(Path file) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.loadAll();
        }
    }

    static void assertSameTensors(Path a, Path b) throws Exception {
        Map<String, Tensor> x = tensors(a);
        Map<String, Tensor> y = tensors(b);
        assertThat(y.keySet()).isEqualTo(x.keySet());
        for (String k : x.keySet()) assertThat(Tensors.toFloats(y.get(k))).as(k).isEqualTo(Tensors.toFloats(x.get(k)));
    }

    static List<String> logWithoutSeconds(Path out) throws IOException {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(Trainer.LOG))) rows.add(line.substring(0, line.lastIndexOf(',')));
        return rows;
    }

    /** Runs {@code a} from scratch, asking it to stop once step {@code step} is done. */
    private static Trainer.Result runStoppingAfter(TrainArgs a, long step) throws IOException {
        List<Trainer> trainer = new ArrayList<>();
        trainer.add(new Trainer(a.resolve(s -> {}), new TrainListener() {
            @Override public void message(String line) {}
            @Override public void step(StepReport report) {
                if (report.step() == step) trainer.getFirst().requestStop();
            }
        }));
        return trainer.getFirst().run(false);
    }

    @Test
    void aRunWritesAdapterCheckpointsLogAndStateWithKohyaMetadata() throws Exception {
        Path adapter = uninterrupted.resolve(Trainer.FINAL_ADAPTER);
        assertThat(uninterrupted.resolve("adapter-epoch-001.safetensors")).isRegularFile();
        assertThat(uninterrupted.resolve("adapter-epoch-002.safetensors")).isRegularFile();
        assertThat(uninterrupted.resolve("adapter-epoch-003.safetensors")).doesNotExist(); // the final file is that epoch
        assertThat(TrainState.file(uninterrupted)).isRegularFile();
        List<String> log = Files.readAllLines(uninterrupted.resolve(Trainer.LOG));
        assertThat(log.getFirst()).isEqualTo("step,epoch,loss,lr,seconds");
        assertThat(log.subList(1, log.size())).extracting(l -> l.substring(0, l.indexOf(',', l.indexOf(',') + 1)))
                .containsExactly("1,1", "2,1", "3,2", "4,2", "5,3", "6,3");
        // warm-up 2 of 6 cosine steps: lr factor 0, 0.5, then 0.5·(1 + cos(π·k/4)) for k = 0..3
        double[] factors = {0, 0.5, 1, (1 + Math.cos(Math.PI / 4)) / 2, 0.5, (1 + Math.cos(3 * Math.PI / 4)) / 2};
        for (int i = 0; i < 6; i++) {
            double lr = Double.parseDouble(log.get(i + 1).split(",")[3]);
            assertThat(lr).isCloseTo(1e-3 * factors[i], within(1e-10));
        }

        Map<String, Tensor> tensors = tensors(adapter);
        assertThat(tensors.keySet()).anyMatch(k -> k.startsWith("lora_te_")).anyMatch(k -> k.startsWith("lora_unet_"));
        double upNorm = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().endsWith("lora_up.weight")) upNorm += e.getValue().abs().sum().item_double();
        }
        assertThat(upNorm).as("training moved lora_up away from its zero start").isPositive();

        try (SafetensorsFile f = SafetensorsFile.open(adapter)) {
            Map<String, String> meta = f.metadata();
            assertThat(meta).containsEntry("ss_network_module", "lycoris.kohya").containsEntry("ss_steps", "6")
                    .containsEntry("ss_epoch", "3").containsEntry("ss_seed", "123").containsEntry("ss_network_dim", "2")
                    .containsEntry("ss_lr_scheduler", "cosine").containsEntry("ss_num_train_images", "6")
                    .containsEntry("ss_num_batches_per_epoch", "3").containsEntry("ss_learning_rate", "0.001")
                    .containsEntry("ss_sd_model_name", "model")
                    .containsEntry("ss_new_sd_model_hash", Sha256.hex(Files.readAllBytes(model.resolve("unet/diffusion_pytorch_model.safetensors"))));
            assertThat(meta.get("ss_tag_frequency")).contains("\"2_toy\"").contains("\"red toy\":1").contains("\"floor\":1");
            assertThat(meta.get("ss_network_args")).contains("\"algo\":\"lora\"").contains("\"preset\":\"full\"");
            assertThat(meta.get("ss_datasets")).contains("\"num_repeats\":2").contains("\"class_tokens\":\"toy\"");
        }
    }

    @Test
    void aFolderAnotherProcessTrainsInIsRefused() throws Exception {
        Path out = dir.resolve("busy");
        try (ProcessLock held = ProcessLock.tryAcquire(out.resolve(Trainer.LOCK))) {
            assertThat(held).isNotNull();
            assertThatThrownBy(() -> new Trainer(args(out).resolve(s -> {}), QUIET).run(false))
                    .hasMessage(out + " is in use by another training process (" + out.resolve(Trainer.LOCK)
                            + " is locked); wait for it to end, or write to another folder");
        }
        assertThat(TrainState.file(out)).doesNotExist();
    }

    @Test
    void twoRunsWithTheSameSeedWriteIdenticalAdaptersAndSamplingDoesNotDisturbTraining() throws Exception {
        Path again = dir.resolve("run-b");
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "# samples\nred toy --s 2\n\nblue toy --n red --d 7 --s 2 --l 5\n");
        TrainArgs withSamples = args(again).put("sample_prompts", prompts.toString(), "test")
                .put("sample_every_n_steps", "3", "test");
        new Trainer(withSamples.resolve(s -> {}), QUIET).run(false);
        assertSameTensors(uninterrupted.resolve(Trainer.FINAL_ADAPTER), again.resolve(Trainer.FINAL_ADAPTER));
        try (var files = Files.list(again.resolve("samples"))) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
                    .containsExactly("000003-00.png", "000003-01.png", "000006-00.png", "000006-01.png");
        }
        assertThat(ImageIO.read(again.resolve("samples/000006-01.png").toFile()).getWidth()).isEqualTo(64);
        assertSameTensors(uninterrupted.resolve("adapter-epoch-001.safetensors"), again.resolve("adapter-epoch-001.safetensors"));
        assertThat(logWithoutSeconds(again)).isEqualTo(logWithoutSeconds(uninterrupted));
    }

    @Test
    void gradientCheckpointingWritesTheSameAdapter() throws Exception {
        Path out = dir.resolve("run-checkpointed");
        TrainConfig c = args(out).put("gradient_checkpointing", "true", "test").resolve(s -> {});
        assertThat(c.gradientCheckpointing()).isTrue();
        assertThat(new Trainer(c, QUIET).run(false).outcome()).isEqualTo(Trainer.Outcome.FINISHED);
        // The UNet's and the text encoder's blocks were recomputed in backward: the same losses and the same six AdamW
        // steps. Not to the bit: where an input's gradient sums contributions from inside and outside a segment, fp32
        // additions come in another order, and Adam's normalisation magnifies that noise in near-zero gradients (the
        // largest difference is ~1e-5). A lost or wrong gradient would move an entry by whole steps (lr 1e-3).
        List<String> plainLog = logWithoutSeconds(uninterrupted);
        List<String> log = logWithoutSeconds(out);
        assertThat(log).hasSameSizeAs(plainLog);
        for (int i = 1; i < log.size(); i++) {
            double expected = Double.parseDouble(plainLog.get(i).split(",")[2]);
            assertThat(Double.parseDouble(log.get(i).split(",")[2])).as(log.get(i)).isCloseTo(expected, within(1e-5 * Math.abs(expected)));
        }
        Map<String, Tensor> plain = tensors(uninterrupted.resolve(Trainer.FINAL_ADAPTER));
        Map<String, Tensor> checkpointed = tensors(out.resolve(Trainer.FINAL_ADAPTER));
        assertThat(checkpointed.keySet()).isEqualTo(plain.keySet());
        double worst = 0;
        for (String k : plain.keySet()) {
            float[] e = Tensors.toFloats(plain.get(k));
            float[] a = Tensors.toFloats(checkpointed.get(k));
            for (int i = 0; i < e.length; i++) {
                assertThat(a[i]).as(k + "[" + i + "]").isCloseTo(e[i], within(1e-4f));
                worst = Math.max(worst, Math.abs(a[i] - e[i]));
            }
        }
        System.out.println("adapter trained with gradient checkpointing: largest difference " + worst);
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(Trainer.FINAL_ADAPTER))) {
            assertThat(f.metadata()).containsEntry("ss_gradient_checkpointing", "True");
        }
    }

    @Test
    void aRunStoppedAtStepThreeAndResumedEqualsTheUninterruptedRun() throws Exception {
        Path out = dir.resolve("run-c");
        Trainer.Result stopped = runStoppingAfter(args(out), 3);
        assertThat(stopped.outcome()).isEqualTo(Trainer.Outcome.INTERRUPTED);
        assertThat(stopped.steps()).isEqualTo(3);
        assertThat(out.resolve(Trainer.FINAL_ADAPTER)).doesNotExist();
        TrainState state = TrainState.read(TrainState.file(out));
        assertThat(state.step()).isEqualTo(3);
        assertThat(state.epoch()).isEqualTo(1);
        assertThat(state.batchInEpoch()).isEqualTo(2);

        assertThatThrownBy(() -> new Trainer(args(out).resolve(s -> {}), QUIET).run(false)).hasMessageContaining("--resume");

        assertThatThrownBy(() -> TrainArgs.forResume(out, new TrainArgs().put("network_dim", "8", "--network_dim")))
                .hasMessageStartingWith("--network_dim: a resumed run keeps its arguments");
        TrainConfig resumed = TrainArgs.forResume(out, new TrainArgs()).resolve(s -> {});
        Trainer.Result finished = new Trainer(resumed, QUIET).run(true);
        assertThat(finished.outcome()).isEqualTo(Trainer.Outcome.FINISHED);
        assertThat(finished.steps()).isEqualTo(6);
        assertSameTensors(uninterrupted.resolve(Trainer.FINAL_ADAPTER), out.resolve(Trainer.FINAL_ADAPTER));
        assertSameTensors(uninterrupted.resolve("adapter-epoch-002.safetensors"), out.resolve("adapter-epoch-002.safetensors"));
        assertThat(logWithoutSeconds(out)).isEqualTo(logWithoutSeconds(uninterrupted));
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(Trainer.FINAL_ADAPTER))) {
            assertThat(f.metadata().get(SshsHash.METADATA_KEY)).isNotNull();
        }
    }

    /** The run of {@link #args} with AdamW8bit at rank 16, where the widest LoRA tensors reach 4096 values. */
    private static TrainArgs eightBit(Path out) {
        return args(out).put("optimizer_type", "AdamW8bit", "test").put("network_dim", "16", "test");
    }

    @Test
    void anAdamW8bitRunTrainsAndStoppedAndResumedEqualsItsUninterruptedRun() throws Exception {
        Path straight = dir.resolve("run-8bit");
        Trainer.Result r = new Trainer(eightBit(straight).resolve(s -> {}), QUIET).run(false);
        assertThat(r.outcome()).isEqualTo(Trainer.Outcome.FINISHED);
        assertThat(r.lastLoss()).isFinite();
        // the state holds quantised moments for the large tensors and 32-bit ones for the rest: its layout lists the
        // values of each quantised parameter, 0 for the others
        List<Long> layout = new ArrayList<>();
        OptimizerArchive.read(TrainState.read(TrainState.file(straight)).optimizer(), a -> {
            Tensor t = new Tensor();
            a.read("adamw8bit_quantised_values", t);
            for (long v : Tensors.toLongs(t)) layout.add(v);
        });
        assertThat(layout).anyMatch(v -> v >= 4096).anyMatch(v -> v == 0).allMatch(v -> v == 0 || v >= 4096);
        double upNorm = 0;
        for (Map.Entry<String, Tensor> e : tensors(straight.resolve(Trainer.FINAL_ADAPTER)).entrySet()) {
            if (e.getKey().endsWith("lora_up.weight")) upNorm += e.getValue().abs().sum().item_double();
        }
        assertThat(upNorm).as("training moved lora_up away from its zero start").isPositive();
        try (SafetensorsFile f = SafetensorsFile.open(straight.resolve(Trainer.FINAL_ADAPTER))) {
            assertThat(f.metadata().get("ss_optimizer")).isEqualTo("bitsandbytes.optim.adamw.AdamW8bit(weight_decay=0.01,betas=(0.9, 0.999),eps=1e-08)");
        }

        Path out = dir.resolve("run-8bit-resumed");
        assertThat(runStoppingAfter(eightBit(out), 3).outcome()).isEqualTo(Trainer.Outcome.INTERRUPTED);
        Trainer.Result finished = new Trainer(TrainArgs.forResume(out, new TrainArgs()).resolve(s -> {}), QUIET).run(true);
        assertThat(finished.steps()).isEqualTo(6);
        assertSameTensors(straight.resolve(Trainer.FINAL_ADAPTER), out.resolve(Trainer.FINAL_ADAPTER));
        assertThat(logWithoutSeconds(out)).isEqualTo(logWithoutSeconds(straight));
    }
}
