package dev.lycoris4j.cli;

import dev.lycoris4j.core.memory.ProcessMemory;
import dev.lycoris4j.train.trainer.ConsoleProgress;
import dev.lycoris4j.train.trainer.TrainArgs;
import dev.lycoris4j.train.trainer.TrainConfig;
import dev.lycoris4j.train.trainer.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code lycoris train}: every option is passed on as text under kohya's name to {@link TrainArgs}, which owns
 * defaults, validation and the config file; this class only collects what was typed.
 */
@Command(name = "train", mixinStandardHelpOptions = true, usageHelpWidth = 110, sortOptions = false,
        header = "Train a LyCORIS adapter on images with captions (kohya-style arguments).",
        description = {"Trains adapters on a frozen SD 1.x/2.x model with AdamW on the diffusion loss over cached latents.",
                "Without --model it trains a tiny built-in model (written to OUT/model), without --data the shipped",
                "example images (written to OUT/example-data): 'lycoris train' alone runs end to end in minutes.",
                "Writes OUT/adapter.safetensors, checkpoints, train-log.csv and a resumable state/ (Ctrl-C saves it).",
                "Options use kohya's names; --config takes a TOML file with the same names as keys, and options given",
                "on the command line win over the file. libtorch's threads follow OMP_NUM_THREADS."},
        footerHeading = "%nExamples:%n",
        footer = {"  lycoris train",
                "  lycoris train --model models/sd15 --data img/ -o out/dog --algo loha --preset-paper",
                "  lycoris train --model models/sd15 --dataset_config data.toml -o out/dog --network_args factor=8 --algo lokr",
                "  lycoris train --config train.toml",
                "  lycoris train --resume out/dog --max_train_epochs 80"})
final class TrainCommand implements Callable<Integer> {
    /** Options handled here rather than passed on. */
    private static final Set<String> OWN = Set.of("--config", "--resume", "--stop-with-process", "--help", "--version");
    /** The shell's code for a run stopped by Ctrl-C (128 + SIGINT). */
    private static final int INTERRUPTED = 130;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "TOML", description = "training arguments from a TOML file (kohya names as keys)")
    Path config;

    @Option(names = "--resume", paramLabel = "OUT_DIR", description = "continue the run whose state/ is in OUT_DIR (only its length, saving and samples may change)")
    Path resume;

    @Option(names = "--stop-with-process", hidden = true, paramLabel = "PID",
            description = "save the state and stop when process PID ends (a sweep's child: no training outlives its sweep)")
    Long stopWithProcess;

    @Option(names = {"--pretrained_model_name_or_path", "--model"}, paramLabel = "MODEL", description = "diffusers folder or .safetensors (default: the built-in tiny model)")
    String model;
    @Option(names = {"--train_data_dir", "--data"}, paramLabel = "DIR", description = "images with .txt captions, or kohya N_name subfolders (default: the example data)")
    String data;
    @Option(names = "--reg_data_dir", paramLabel = "DIR", description = "regularisation images for prior preservation (kohya N_name subfolders)")
    String regDataDir;
    @Option(names = "--prior_loss_weight", description = "loss weight of regularisation images (default 1)")
    String priorLossWeight;
    @Option(names = "--dataset_config", paramLabel = "TOML", description = "kohya dataset config ([[datasets]], [[datasets.subsets]])")
    String datasetConfig;
    @Option(names = {"--output_dir", "-o"}, paramLabel = "OUT_DIR", description = "output folder (default out/train)")
    String output;

    @Option(names = "--algo", description = "lora (locon), loha, lokr, dylora, glora, ia3, diag-oft, boft, full (default lora)")
    String algo;
    @Option(names = "--network_dim", description = "rank (default 4)")
    String networkDim;
    @Option(names = "--network_alpha", description = "alpha (default 1)")
    String networkAlpha;
    @Option(names = "--conv_dim", description = "rank of k×k convs (default: network_dim)")
    String convDim;
    @Option(names = "--conv_alpha", description = "alpha of k×k convs (default: network_alpha)")
    String convAlpha;
    @Option(names = "--preset", description = "full, full-lin, attn-mlp, attn-only, unet-only, … or a preset TOML (default full)")
    String preset;
    @Option(names = "--network_args", arity = "1..*", paramLabel = "KEY=VALUE", description = "more network options: factor=8 use_tucker=true dropout=0.1 …")
    List<String> networkArgs;
    @Option(names = "--network_dropout", description = "dropout of the adapters' output")
    String networkDropout;
    @Option(names = "--network_train_unet_only", arity = "0..1", fallbackValue = "true", description = "train no text-encoder adapters")
    String unetOnly;

    @Option(names = "--learning_rate", description = "learning rate (default 1e-4)")
    String learningRate;
    @Option(names = "--unet_lr", description = "UNet adapters' learning rate (default: learning_rate)")
    String unetLr;
    @Option(names = "--text_encoder_lr", description = "text-encoder adapters' learning rate (default: learning_rate)")
    String textEncoderLr;
    @Option(names = "--optimizer_type", description = "AdamW (default) or AdamW8bit (8-bit blockwise-quantised moments, as bitsandbytes)")
    String optimizerType;
    @Option(names = "--optimizer_args", arity = "1..*", paramLabel = "KEY=VALUE", description = "weight_decay=0.1 betas=0.9,0.99 eps=1e-8; AdamW8bit also min_8bit_size=4096")
    List<String> optimizerArgs;
    @Option(names = "--lr_scheduler", description = "constant, constant_with_warmup, cosine, linear (default constant)")
    String lrScheduler;
    @Option(names = "--lr_warmup_steps", description = "warm-up steps")
    String warmupSteps;
    @Option(names = "--lr_warmup_epochs", description = "warm-up in epochs (added to the steps)")
    String warmupEpochs;
    @Option(names = "--max_grad_norm", description = "clip gradients to this global norm, 0 for none (default 1)")
    String maxGradNorm;

    @Option(names = {"--max_train_steps", "--max-steps"}, description = "stop after this many steps (default 1600 without an epoch limit)")
    String maxSteps;
    @Option(names = {"--max_train_epochs", "--max-epochs"}, description = "stop after this many epochs (with both limits the earlier wins)")
    String maxEpochs;
    @Option(names = "--train_batch_size", description = "batch size (default 1)")
    String batchSize;
    @Option(names = "--gradient_accumulation_steps", description = "batches per optimizer step (default 1)")
    String accumulation;
    @Option(names = "--seed", description = "seed of everything random (default: drawn and recorded)")
    String seed;
    @Option(names = "--gradient_checkpointing", arity = "0..1", fallbackValue = "true",
            description = "recompute the UNet's (and a trained text encoder's) blocks in backward: less memory, about a third more time per step")
    String gradientCheckpointing;

    @Option(names = "--resolution", description = "SIZE or WIDTH,HEIGHT (default 512)")
    String resolution;
    @Option(names = "--enable_bucket", arity = "0..1", fallbackValue = "true", description = "aspect-ratio buckets")
    String enableBucket;
    @Option(names = "--min_bucket_reso", description = "shortest bucket side (default 256)")
    String minBucket;
    @Option(names = "--max_bucket_reso", description = "longest bucket side (default 1024)")
    String maxBucket;
    @Option(names = "--bucket_reso_steps", description = "bucket step with --bucket_no_upscale (default 64)")
    String bucketSteps;
    @Option(names = "--bucket_no_upscale", arity = "0..1", fallbackValue = "true", description = "never enlarge images")
    String noUpscale;
    @Option(names = "--caption_extension", description = "caption file suffix (default .txt)")
    String captionExtension;
    @Option(names = "--caption_dropout_rate", description = "probability of training a step on the empty caption")
    String captionDropout;
    @Option(names = "--caption_tag_dropout_rate", description = "probability of dropping each tag")
    String tagDropout;
    @Option(names = "--shuffle_caption", arity = "0..1", fallbackValue = "true", description = "shuffle comma-separated tags")
    String shuffleCaption;
    @Option(names = "--keep_tokens", description = "tags kept in front when shuffling")
    String keepTokens;
    @Option(names = "--balance_classes", arity = "0..1", fallbackValue = "true", description = "repeat images so every class counts equally per epoch")
    String balance;
    @Option(names = {"--skip_bad_images", "--skip-bad-images"}, arity = "0..1", fallbackValue = "true", description = "leave out unreadable images instead of stopping")
    String skipBad;
    @Option(names = "--latent_cache_dir", paramLabel = "DIR", description = "latent cache, shareable between runs (default OUT/latent-cache)")
    String cacheDir;

    @Option(names = "--save_every_n_epochs", description = "write adapter-epoch-NNN.safetensors every N epochs")
    String saveEpochs;
    @Option(names = "--save_every_n_steps", description = "write adapter-step-NNNNNN.safetensors every N steps")
    String saveSteps;
    @Option(names = "--save_precision", description = "float, fp16 or bf16 (default float)")
    String savePrecision;
    @Option(names = "--mixed_precision", description = "no, fp16 or bf16: frozen model in that dtype, autocast forward, fp32 adapters; fp16 scales the loss (default no)")
    String mixedPrecision;
    @Option(names = "--no_half_vae", arity = "0..1", fallbackValue = "true", description = "keep the VAE in fp32 under mixed precision (default true; false casts it as kohya does)")
    String noHalfVae;
    @Option(names = "--sample_prompts", paramLabel = "FILE", description = "prompts to sample into OUT/samples (kohya format: prompt --n neg --w W --h H --d seed --l cfg --s steps)")
    String samplePrompts;
    @Option(names = "--sample_every_n_epochs", description = "sample every N epochs (and at the end)")
    String sampleEpochs;
    @Option(names = "--sample_every_n_steps", description = "sample every N steps (and at the end)")
    String sampleSteps;
    @Option(names = "--sample_sampler", description = "ddim, euler, dpmpp-2m, dpmpp-2m-karras (default ddim)")
    String sampleSampler;
    @Option(names = "--v_parameterization", arity = "0..1", fallbackValue = "true", description = "v-prediction target (default: the model's scheduler config)")
    String vParameterization;
    @Option(names = "--clip_skip", description = "text-encoder layer from the end (default 1)")
    String clipSkip;
    @Option(names = {"--preset_paper", "--preset-paper"}, arity = "0..1", fallbackValue = "true",
            description = "the LyCORIS paper's settings (AdamW wd 0.1 betas 0.9/0.99, 5 warm-up epochs, buckets 320-960, "
                    + "batch 8, caption dropout 5%%, lr 5e-4 (full: 1e-6), per-algorithm dim/alpha) under what is given")
    String presetPaper;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (resume != null && config != null) throw new Errors.BadInput("--resume continues a run with its own arguments; drop --config");
        TrainArgs given = given();
        TrainArgs args = resume != null ? TrainArgs.forResume(resume, given)
                : config != null ? given.over(TrainArgs.fromFile(Errors.readableFile(config, "training config"))) : given;
        ConsoleProgress progress = new ConsoleProgress(out, System.console() != null && System.console().isTerminal());
        TrainConfig c = args.resolve(progress::message);
        Trainer trainer = new Trainer(c, progress);
        long start = System.nanoTime();
        Trainer.Result result;
        if (stopWithProcess != null) {
            // Gone already (or never there): stop at once, before the first step.
            ProcessHandle.of(stopWithProcess).map(ProcessHandle::onExit).ifPresentOrElse(
                    exit -> exit.thenRun(trainer::requestStop), trainer::requestStop);
        }
        try (Trainer.Registration ignored = trainer.stopOnShutdown()) {
            result = trainer.run(resume != null);
        }
        out.printf(Locale.ROOT, "%d of %d steps in %.1f s; resident memory %d MB; outputs in %s%n", result.steps(),
                result.totalSteps(), (System.nanoTime() - start) / 1e9, ProcessMemory.residentBytes() >> 20, c.outputDir());
        return result.outcome() == Trainer.Outcome.FINISHED ? 0 : INTERRUPTED;
    }

    /** What was typed, under each option's first name. */
    private TrainArgs given() {
        TrainArgs args = new TrainArgs();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String name = o.names()[0];
            if (OWN.contains(name)) continue;
            Object value = o.getValue();
            if (value instanceof List<?> list) args.putList(name, list.stream().map(String::valueOf).toList(), name);
            else args.put(name, String.valueOf(value), name);
        }
        return args;
    }
}
