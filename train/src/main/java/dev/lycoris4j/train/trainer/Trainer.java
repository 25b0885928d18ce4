package dev.lycoris4j.train.trainer;

import dev.lycoris4j.adapters.io.AdapterWriter;
import dev.lycoris4j.core.io.ProcessLock;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.Autocast;
import dev.lycoris4j.core.nn.Devices;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.pipeline.GenerationRequest;
import dev.lycoris4j.diffusion.scheduler.NoiseSchedule;
import dev.lycoris4j.diffusion.scheduler.PredictionType;
import dev.lycoris4j.train.data.Captions;
import dev.lycoris4j.train.data.EpochPlan;
import dev.lycoris4j.train.data.LatentCache;
import dev.lycoris4j.train.data.Seeds;
import dev.lycoris4j.train.data.Subset;
import dev.lycoris4j.train.data.TrainingData;
import dev.lycoris4j.train.data.VaeEncoder;
import dev.lycoris4j.train.network.LycorisNetwork;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The training loop: a network of adapters on a frozen model, trained with AdamW on the diffusion loss over cached
 * latents. Per optimizer step: {@code gradientAccumulation} batches (fewer at an epoch's end), each loss divided by
 * their number and back-propagated, then global-norm clipping, the scheduled learning rate and an AdamW step. Each
 * step runs in its own {@link StepScope}, so native memory stays flat over the run. AdamW keeps 32-bit or 8-bit
 * moments ({@code optimizer_type} AdamW or AdamW8bit, {@link Optimizer#create}). With {@link MixedPrecision}
 * the frozen model is held in fp16/bf16, the forward runs under autocast, and fp16 losses are scaled
 * ({@link GradScaler}: unscaled before clipping, a step with an inf/NaN gradient skipped).
 *
 * <p>Outputs in the output folder: {@code adapter.safetensors} at the end, {@code adapter-epoch-NNN.safetensors} and
 * {@code adapter-step-NNNNNN.safetensors} checkpoints, {@code train-log.csv}, and {@code state/} (see
 * {@link TrainState}), written with every checkpoint, at the end and when stopped, from which {@link #run(boolean)}
 * with {@code resume} continues as if never stopped; {@code train.lock}, locked while a process trains there.
 */
public final class Trainer {
    public enum Outcome { FINISHED, INTERRUPTED }

    /** @param adapter the final adapter file, or null when interrupted */
    public record Result(Outcome outcome, long steps, long totalSteps, Path adapter, double lastLoss) {}

    public static final String FINAL_ADAPTER = "adapter.safetensors";
    public static final String LOG = "train-log.csv";
    /** Held by the process training in the output folder, so that no second one writes there at the same time. */
    public static final String LOCK = "train.lock";
    private static final long CAPTION_STREAM = 3;
    private static final int LOG_FLUSH_STEPS = 20;
    private static final Duration SHUTDOWN_WAIT = Duration.ofMinutes(10);

    private final TrainConfig config;
    private final TrainListener listener;
    /** fp16's loss scaling; a pass-through otherwise. */
    private final GradScaler scaler;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean stopRequested;

    public Trainer(TrainConfig config, TrainListener listener) {
        this.config = config;
        this.listener = listener;
        this.scaler = config.mixedPrecision().lossScaler();
    }

    /** Asks the loop to save a resumable state and stop after the step in progress. Thread-safe. */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Makes a JVM shutdown (Ctrl-C, SIGTERM) stop the run at the next step boundary with its state saved: the hook
     * holds the shutdown until the run has ended. Close the handle to remove the hook.
     */
    public Registration stopOnShutdown() {
        Thread hook = new Thread(() -> {
            requestStop();
            try {
                ended.await(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lycoris-train-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running; it returns once the run has ended.
            }
        };
    }

    /** A registered shutdown hook; closing it removes the hook. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** The file name of the checkpoint written at the end of {@code epoch} (1-based, as the file counts). */
    public static String epochCheckpoint(int epoch) {
        return String.format(Locale.ROOT, "adapter-epoch-%03d.safetensors", epoch);
    }

    /** Trains from scratch, or with {@code resume} from the state in the output folder. */
    public Result run(boolean resume) throws IOException {
        try {
            Path out = config.outputDir();
            Files.createDirectories(out);
            try (ProcessLock lock = ProcessLock.tryAcquire(out.resolve(LOCK))) {
                if (lock == null) {
                    throw new IllegalArgumentException(out + " is in use by another training process ("
                            + out.resolve(LOCK) + " is locked); wait for it to end, or write to another folder");
                }
                return train(resume);
            }
        } finally {
            ended.countDown();
        }
    }

    private Result train(boolean resume) throws IOException {
        Path out = config.outputDir();
        Path stateFile = TrainState.file(out);
        TrainState resumed = null;
        if (resume) {
            if (!Files.isRegularFile(stateFile)) throw new IllegalArgumentException("no training state to resume in " + out + " (" + stateFile + ")");
            resumed = TrainState.read(stateFile);
        } else if (Files.exists(stateFile)) {
            throw new IllegalArgumentException(out + " already holds a training run (" + stateFile
                    + "): continue it with --resume " + out + ", or write to another folder");
        }

        if (config.model() == null && System.getenv("OMP_NUM_THREADS") == null) {
            // The tiny model's tensors are so small that libtorch's parallel regions cost more than they save (five
            // times slower with two threads on a busy two-core machine): its ops run on one thread. Set before the
            // first op, which would start the thread pool at full size.
            torch.set_num_threads(1);
        }
        Path modelPath = config.model() != null ? config.model() : TinyModel.build(out.resolve("model"));
        StableDiffusion sd = SdLoader.load(modelPath, SdLoader.Options.defaults().withProgress(listener::message));
        if (sd.kind() == StableDiffusion.Kind.SDXL) {
            throw new IllegalArgumentException(modelPath + " is an SDXL model; training supports SD 1.x and 2.x");
        }
        for (Module m : sd.components().values()) {
            m.requiresGrad(false);
            m.train(false);
        }
        MixedPrecision precision = config.mixedPrecision();
        precision.castFrozen(sd, !config.noHalfVae());
        if (precision != MixedPrecision.NO) {
            listener.message("mixed precision " + precision.kohyaName() + ": UNet and text encoder in " + precision.kohyaName()
                    + ", VAE in " + (config.noHalfVae() ? "fp32" : precision.kohyaName()) + ", adapters in fp32"
                    + (scaler.enabled() ? ", dynamic loss scaling" : ""));
        }

        // Read before the (possibly long) latent caching, so a bad prompt file stops the run at once.
        List<GenerationRequest> sampleRequests = config.samples() == null ? null : SamplePrompts.read(
                config.samples().prompts(), config.datasets().getFirst().buckets().resolution().width(),
                config.datasets().getFirst().buckets().resolution().height(), config.seed(), config.clipSkip(),
                config.samples().sampler());
        TrainingData data = TrainingData.prepare(config.datasets(), new VaeEncoder(sd.vae()),
                new LatentCache(config.cacheDir(), listener::message), config.skipBadImages(), listener::message);
        EpochPlan plan = new EpochPlan(data, config.seed());
        long stepsPerEpoch = ceilDiv(plan.batchesPerEpoch(), config.gradientAccumulation());
        long totalSteps = config.maxSteps() > 0 && config.maxEpochs() > 0
                ? Math.min(config.maxSteps(), config.maxEpochs() * stepsPerEpoch)
                : config.maxSteps() > 0 ? config.maxSteps() : config.maxEpochs() * stepsPerEpoch;
        int totalEpochs = (int) ceilDiv(totalSteps, stepsPerEpoch);
        long warmup = config.warmupSteps() + config.warmupEpochs() * stepsPerEpoch;
        LrSchedule schedule = new LrSchedule(config.scheduler(), warmup, totalSteps);

        torch.manual_seed(config.seed());
        LycorisNetwork network = LycorisNetwork.create(sd, config.network());
        if (network.modules().isEmpty()) throw new IllegalArgumentException("preset " + config.presetName() + " selects no layer of " + modelPath);
        boolean trainTextEncoder = config.network().trainTextEncoder() && config.optimizer().textEncoderLr() > 0
                && !network.textEncoderParameters().isEmpty();
        List<Optimizer.Group> groups = new ArrayList<>();
        if (trainTextEncoder) groups.add(new Optimizer.Group("text_encoder", network.textEncoderParameters(), config.optimizer().textEncoderLr()));
        if (!network.unetParameters().isEmpty()) groups.add(new Optimizer.Group("unet", network.unetParameters(), config.optimizer().unetLr()));
        Optimizer optimizer = Optimizer.create(groups, config.optimizer());
        network.applyTo();
        network.setTraining(true);
        if (config.gradientCheckpointing()) {
            sd.unet().setGradientCheckpointing(true);
            if (trainTextEncoder) sd.textEncoder().setGradientCheckpointing(true);
        }

        Position start = new Position(0, 0, 0);
        if (resumed != null) {
            restore(resumed, network, optimizer, stateFile);
            scaler.load(resumed.lossScale());
            start = new Position(resumed.step(), resumed.epoch(), resumed.batchInEpoch());
        }
        TrainLog log = TrainLog.open(out.resolve(LOG), start.step());
        TrainMetadata metadata = new TrainMetadata(config, sd.kind(), data, plan, ModelHashes.of(modelPath), totalSteps,
                totalEpochs, warmup, new SecureRandom().nextInt(Integer.MAX_VALUE), System.currentTimeMillis() / 1000.0);
        PredictionType prediction = config.prediction() != null ? config.prediction() : sd.scheduler().predictionType();
        listener.message(String.format(Locale.ROOT,
                "training %s on %d images (%d per epoch with repeats): %d batches per epoch, %d steps per epoch, %d steps (%d epochs), %s target",
                config.network().adapter().algorithm().id(), data.samples().size(), plan.samplesPerEpoch(),
                plan.batchesPerEpoch(), stepsPerEpoch, totalSteps, totalEpochs, prediction.configName()));
        listener.message(String.format(Locale.ROOT, "%d adapter modules, %,d trainable values (%s), seed %d%s",
                network.modules().size(), count(optimizer.parameters()), describe(groups), config.seed(),
                resumed == null ? "" : ", resuming at step " + start.step()));
        listener.message(String.format(Locale.ROOT, "%s: %,d bytes of optimizer state", config.optimizer().type().kohyaName(), optimizer.stateBytes()));

        Step stepper = new Step(sd, data, new DiffusionLoss(sd.unet(), NoiseSchedule.of(sd.scheduler()), prediction),
                new TextConditioner(sd.tokenizer(), sd.textEncoder(), config.clipSkip()), trainTextEncoder);
        Sampler sampler = sampleRequests == null ? null : new Sampler(sd, network, sampleRequests, out.resolve("samples"));
        return loop(start, totalSteps, totalEpochs, plan, schedule, stepper, optimizer, network, log, metadata, sampler);
    }

    private record Position(long step, int epoch, int batchInEpoch) {}

    private Result loop(Position start, long totalSteps, int totalEpochs, EpochPlan plan, LrSchedule schedule, Step stepper,
                        Optimizer optimizer, LycorisNetwork network, TrainLog log, TrainMetadata metadata,
                        Sampler sampler) throws IOException {
        long step = start.step();
        int epoch = start.epoch();
        int batch = start.batchInEpoch();
        double lastLoss = Double.NaN;
        long sessionStart = System.nanoTime();
        long sessionSteps = 0;
        List<EpochPlan.Batch> batches = plan.batches(epoch);
        while (step < totalSteps) {
            if (stopRequested) return interrupted(step, epoch, batch, totalSteps, lastLoss, network, optimizer, log);
            int end = Math.min(batches.size(), batch + config.gradientAccumulation());
            long t0 = System.nanoTime();
            try (StepScope ignored = new StepScope()) {
                optimizer.zeroGrad();
                lastLoss = 0;
                for (int b = batch; b < end; b++) {
                    Tensor loss = stepper.loss(batches.get(b), epoch, b).div(new Scalar((double) (end - batch)));
                    scaler.scale(loss).backward();
                    lastLoss += loss.item_double();
                }
                scaler.unscale(optimizer.parameters());
                if (config.optimizer().maxGradNorm() > 0) optimizer.clipGradients(config.optimizer().maxGradNorm());
                // A step skipped for an fp16 overflow does not advance the schedule (as accelerate's scheduler).
                optimizer.setLearningRateFactor(schedule.factor(step - scaler.skippedSteps()));
                scaler.step(optimizer::step);
                scaler.update();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double lr = optimizer.learningRate(optimizer.groups().size() - 1);
            step++;
            sessionSteps++;
            int stepEpoch = epoch + 1;
            batch = end;
            log.add(step, stepEpoch, lastLoss, lr, seconds);
            double mean = (System.nanoTime() - sessionStart) / 1e9 / sessionSteps;
            listener.step(new TrainListener.StepReport(step, totalSteps, stepEpoch, totalEpochs, lastLoss, lr, seconds,
                    mean * (totalSteps - step)));
            boolean epochEnded = batch >= batches.size();
            if (epochEnded) {
                epoch++;
                batch = 0;
                batches = plan.batches(epoch);
                if (config.saveEveryEpochs() > 0 && epoch % config.saveEveryEpochs() == 0 && step < totalSteps) {
                    checkpoint(epochCheckpoint(epoch), step, epoch, batch,
                            stepEpoch, network, optimizer, metadata, log);
                }
            }
            if (config.saveEveryNSteps() > 0 && step % config.saveEveryNSteps() == 0 && step < totalSteps) {
                checkpoint(String.format(Locale.ROOT, "adapter-step-%06d.safetensors", step), step, epoch, batch,
                        stepEpoch, network, optimizer, metadata, log);
            }
            if (sampler != null && step < totalSteps && config.samples().due(step, epochEnded, epoch)) samples(sampler, step);
            if (step % LOG_FLUSH_STEPS == 0) log.flush();
        }
        int finalEpoch = batch == 0 ? epoch : epoch + 1;
        Path adapter = config.outputDir().resolve(FINAL_ADAPTER);
        writeAdapter(adapter, network, metadata.at(step, finalEpoch));
        saveState(step, epoch, batch, network, optimizer);
        log.flush();
        if (sampler != null) samples(sampler, step);
        listener.message("finished " + step + " steps: " + adapter);
        return new Result(Outcome.FINISHED, step, totalSteps, adapter, lastLoss);
    }

    private Result interrupted(long step, int epoch, int batch, long totalSteps, double lastLoss, LycorisNetwork network,
                               Optimizer optimizer, TrainLog log) throws IOException {
        if (step > 0) saveState(step, epoch, batch, network, optimizer);
        log.flush();
        listener.message("stopped at step " + step + " of " + totalSteps + (step > 0
                ? "; state saved, continue with: lycoris train --resume " + config.outputDir() : ""));
        return new Result(Outcome.INTERRUPTED, step, totalSteps, null, lastLoss);
    }

    private void checkpoint(String name, long step, int epoch, int batch, int fileEpoch, LycorisNetwork network,
                            Optimizer optimizer, TrainMetadata metadata, TrainLog log) throws IOException {
        Path file = config.outputDir().resolve(name);
        writeAdapter(file, network, metadata.at(step, fileEpoch));
        saveState(step, epoch, batch, network, optimizer);
        log.flush();
        listener.message("saved " + file + " (step " + step + ")");
    }

    private void samples(Sampler sampler, long step) throws IOException {
        List<Path> files = sampler.sample(step);
        listener.message("sampled " + files.size() + " image(s) at step " + step + " into " + files.getFirst().getParent());
    }

    private void writeAdapter(Path file, LycorisNetwork network, Map<String, String> metadata) throws IOException {
        try (StepScope ignored = new StepScope()) {
            AdapterWriter.write(file, network.stateDict(), metadata, config.saveDtype());
        }
    }

    private void saveState(long step, int epoch, int batch, LycorisNetwork network, Optimizer optimizer) throws IOException {
        try (StepScope ignored = new StepScope()) {
            new TrainState(step, epoch, batch, config.seed(), config.args(), network.stateDict(),
                    torch.getDefaultCPUGenerator().get_state(), optimizer.saveState(), scaler.state())
                    .write(TrainState.file(config.outputDir()));
        }
    }

    /** Puts the saved adapter tensors, optimizer moments and generator state back. */
    private static void restore(TrainState s, LycorisNetwork network, Optimizer optimizer, Path stateFile) {
        Map<String, Tensor> live = network.stateDict();
        if (!live.keySet().equals(s.adapter().keySet())) {
            throw new IllegalArgumentException(stateFile + " was saved for a different network (" + s.adapter().size()
                    + " tensors there, " + live.size() + " here)");
        }
        try (NoGrad ignored = new NoGrad()) {
            for (Map.Entry<String, Tensor> e : live.entrySet()) {
                Tensor saved = s.adapter().get(e.getKey());
                if (!Arrays.equals(Tensors.shape(saved), Tensors.shape(e.getValue()))) {
                    throw new IllegalArgumentException(stateFile + ": " + e.getKey() + " has shape " + Tensors.shapeString(saved)
                            + " there, " + Tensors.shapeString(e.getValue()) + " here");
                }
                e.getValue().copy_(saved);
            }
        }
        optimizer.loadState(s.optimizer());
        torch.getDefaultCPUGenerator().set_state(s.rng());
    }

    /** One batch's loss: scaled latents, varied captions, text conditioning and the diffusion loss. */
    private final class Step {
        private final TrainingData data;
        private final DiffusionLoss loss;
        private final TextConditioner text;
        private final boolean trainTextEncoder;
        private final double scalingFactor;
        private final Tensor unetWeight;

        Step(StableDiffusion sd, TrainingData data, DiffusionLoss loss, TextConditioner text, boolean trainTextEncoder) {
            this.data = data;
            this.loss = loss;
            this.text = text;
            this.trainTextEncoder = trainTextEncoder;
            this.scalingFactor = sd.vae().config().scalingFactor();
            this.unetWeight = sd.unet().stateDict().values().iterator().next();
        }

        /** The loss with the forward under autocast, as kohya's; {@link DiffusionLoss} takes the loss itself in fp32. */
        Tensor loss(EpochPlan.Batch batch, int epoch, int index) {
            try (Autocast ignored = config.mixedPrecision().autocast(Devices.name(unetWeight.device()))) {
                return forward(batch, epoch, index);
            }
        }

        private Tensor forward(EpochPlan.Batch batch, int epoch, int index) {
            // The captions' random variation is a function of (seed, epoch, batch), like the plan itself.
            SplittableRandom rng = new SplittableRandom(Seeds.mix(config.seed(), CAPTION_STREAM, epoch, index));
            TensorVector latents = new TensorVector();
            List<String> captions = new ArrayList<>();
            double[] weights = new double[batch.samples().length];
            for (int k = 0; k < weights.length; k++) {
                TrainingData.Sample s = data.samples().get(batch.samples()[k]);
                Subset subset = data.datasets().get(s.dataset()).subsets().get(s.item().subset());
                latents.push_back(s.latents());
                captions.add(Captions.process(s.item().caption(), subset.captions(), rng));
                weights[k] = subset.isReg() ? config.priorLossWeight() : 1.0;
            }
            Tensor x0 = torch.stack(latents).mul(new Scalar(scalingFactor)).to(unetWeight.device(), unetWeight.scalar_type());
            Tensor context;
            if (trainTextEncoder) {
                context = text.encode(captions);
            } else {
                try (NoGrad ignored = new NoGrad()) {
                    context = text.encode(captions);
                }
            }
            return loss.loss(x0, context.to(unetWeight.scalar_type()), weights);
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long count(List<Tensor> tensors) {
        long n = 0;
        for (Tensor t : tensors) n += t.numel();
        return n;
    }

    private static String describe(List<Optimizer.Group> groups) {
        List<String> parts = new ArrayList<>();
        for (Optimizer.Group g : groups) parts.add(String.format(Locale.ROOT, "%s lr %s: %,d", g.name(), PythonStr.of(g.lr()), count(g.parameters())));
        return String.join(", ", parts);
    }
}
