package dev.lycoris4j.train.sweep;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.eval.run.EvalConfig;
import dev.lycoris4j.train.trainer.TrainArgs;
import dev.lycoris4j.train.trainer.Trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sweep (docs/sweep.md), read from {@code sweep.toml} by {@link SweepToml}: the runs of the grid algorithms ×
 * values × seeds in the order they run, the checkpoint epochs evaluated, and the evaluation settings. Immutable.
 *
 * @param file      the sweep.toml, named in messages (how to continue)
 * @param output    the sweep's folder: {@code runs/<name>/}, {@code eval/} (by default) and the built-in model
 * @param epochs    the checkpoint epochs evaluated, ascending; every run trains to the last one
 * @param runs      in the order they run: algorithm by algorithm, value by value, seed by seed
 * @param eval      the evaluation settings, without checkpoints: {@link #checkpoints} gives each run's
 * @param tinyModel where to build the embedded tiny model for evaluation (the runs train it), or null
 */
public record SweepConfig(Path file, Path output, List<Integer> epochs, List<Run> runs, EvalConfig eval, Path tinyModel) {

    /** The folder of the runs, under the sweep's output. */
    public static final String RUNS = "runs";

    /**
     * One training run of the grid.
     *
     * @param name            its folder under {@code runs/}: {@code <algorithm>[-<key><value>]-seed<seed>}
     * @param args            its training arguments (kohya names → text): what its {@code train.toml} holds
     * @param hyperparameters what the results CSV labels it with
     */
    public record Run(String name, Path dir, long seed, Map<String, String> args, TrainArgs.Hyperparameters hyperparameters) {
        public Run {
            args = Collections.unmodifiableMap(new TreeMap<>(args));
        }
    }

    public SweepConfig {
        epochs = List.copyOf(epochs);
        runs = List.copyOf(runs);
        if (epochs.isEmpty()) throw new IllegalArgumentException("no checkpoint epochs");
        if (runs.isEmpty()) throw new IllegalArgumentException("no runs");
        if (!eval.checkpoints().isEmpty()) throw new IllegalArgumentException("the sweep's eval settings take no checkpoints");
    }

    /** The epoch every run trains to. */
    public int lastEpoch() {
        return epochs.getLast();
    }

    /**
     * The run's checkpoints to evaluate, one per epoch, named {@code <run>-e<epoch>}: the epoch checkpoints, and for
     * the last epoch the final adapter (the trainer writes no epoch checkpoint at the end of the run).
     */
    public List<EvalConfig.Checkpoint> checkpoints(Run run) {
        List<EvalConfig.Checkpoint> out = new ArrayList<>();
        for (int epoch : epochs) {
            String file = epoch == lastEpoch() ? Trainer.FINAL_ADAPTER : Trainer.epochCheckpoint(epoch);
            out.add(new EvalConfig.Checkpoint(run.name() + "-e" + epoch, run.dir().resolve(file), 1, labels(run, epoch)));
        }
        return out;
    }

    /**
     * The results CSV's labels of the run's checkpoint at {@code epoch}, as the reference's config table has them:
     * full fine-tuning has no dim and alpha, only LoKr has a factor; the seed label is the training seed.
     */
    public static EvalConfig.Labels labels(Run run, int epoch) {
        TrainArgs.Hyperparameters h = run.hyperparameters();
        boolean full = h.algorithm() == Algorithm.FULL;
        double factor = h.algorithm() == Algorithm.LOKR && h.factor() > 0 ? h.factor() : Double.NaN;
        return new EvalConfig.Labels(h.algorithm().id(), h.preset(), h.learningRate(), full ? Double.NaN : h.dim(),
                full ? Double.NaN : h.alpha(), factor, Long.toString(run.seed()), epoch);
    }
}
