package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.diffusion.scheduler.PredictionType;
import dev.lycoris4j.train.data.DatasetConfig;
import dev.lycoris4j.train.network.NetworkConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a training run needs, resolved (see {@link TrainArgs} for how command-line and file arguments become
 * one). Immutable.
 *
 * @param model            a diffusers folder or single-file checkpoint; null trains the embedded tiny model
 * @param outputDir        adapter files, checkpoints, log, state and (by default) the latent cache
 * @param network          which layers get which adapters
 * @param presetName       the preset's name or file, for the file's metadata
 * @param scheduler        learning-rate schedule after the warm-up
 * @param warmupSteps      warm-up in optimizer steps; {@code warmupEpochs} adds whole epochs of steps
 * @param maxSteps         stop after this many optimizer steps (0: no step limit)
 * @param maxEpochs        stop after this many epochs (0: no epoch limit); with both, the earlier limit wins
 * @param saveEveryEpochs  write {@code adapter-epoch-NNN.safetensors} (and the state) every N epochs (0: never)
 * @param saveEveryNSteps  write {@code adapter-step-NNNNNN.safetensors} (and the state) every N steps (0: never)
 * @param prediction       ε or v target; null uses the model's scheduler config
 * @param saveDtype        dtype of written adapter files
 * @param mixedPrecision   dtype of the frozen UNet and text encoder and of the autocast forward; adapters stay fp32
 * @param noHalfVae        keep the VAE in fp32 under mixed precision (kohya's {@code no_half_vae}; our default)
 * @param priorLossWeight  weight of regularisation images' loss (kohya's {@code prior_loss_weight})
 * @param gradientCheckpointing recompute the UNet's (and a trained text encoder's) blocks in backward instead of
 *                         keeping their activations (kohya's {@code gradient_checkpointing})
 * @param latentCacheDir   where cached latents live; null is {@code outputDir/latent-cache}
 * @param samples          sample images during training, or null
 * @param args             the arguments as given (kohya names → text), kept in the state for {@code --resume}
 */
public record TrainConfig(
        Path model,
        List<DatasetConfig> datasets,
        Path outputDir,
        NetworkConfig network,
        String presetName,
        OptimizerConfig optimizer,
        LrSchedule.Kind scheduler,
        long warmupSteps,
        int warmupEpochs,
        int gradientAccumulation,
        long maxSteps,
        int maxEpochs,
        long seed,
        int saveEveryEpochs,
        long saveEveryNSteps,
        PredictionType prediction,
        int clipSkip,
        DType saveDtype,
        MixedPrecision mixedPrecision,
        boolean noHalfVae,
        double priorLossWeight,
        boolean skipBadImages,
        boolean gradientCheckpointing,
        Path latentCacheDir,
        SampleSettings samples,
        Map<String, String> args) {

    public TrainConfig {
        datasets = List.copyOf(datasets);
        args = Map.copyOf(args);
        if (datasets.isEmpty()) throw new IllegalArgumentException("no training data");
        if (gradientAccumulation < 1) {
            throw new IllegalArgumentException("gradient_accumulation_steps must be >= 1, got " + gradientAccumulation);
        }
        if (maxSteps < 0 || maxEpochs < 0) throw new IllegalArgumentException("step and epoch limits must be >= 0");
        if (maxSteps == 0 && maxEpochs == 0) {
            throw new IllegalArgumentException("give max_train_steps or max_train_epochs (training needs an end)");
        }
        if (warmupSteps < 0 || warmupEpochs < 0) throw new IllegalArgumentException("warm-up must be >= 0");
        if (saveEveryEpochs < 0 || saveEveryNSteps < 0) throw new IllegalArgumentException("save intervals must be >= 0");
        if (!(priorLossWeight >= 0)) throw new IllegalArgumentException("prior_loss_weight must be >= 0, got " + priorLossWeight);
    }

    public Path cacheDir() {
        return latentCacheDir != null ? latentCacheDir : outputDir.resolve("latent-cache");
    }
}
