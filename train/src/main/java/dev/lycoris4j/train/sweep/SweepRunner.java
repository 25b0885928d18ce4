package dev.lycoris4j.train.sweep;

import dev.lycoris4j.core.io.AtomicFiles;
import dev.lycoris4j.core.io.ProcessLock;
import dev.lycoris4j.eval.run.EvalConfig;
import dev.lycoris4j.eval.run.EvalRunner;
import dev.lycoris4j.train.trainer.TinyModel;
import dev.lycoris4j.train.trainer.TrainArgs;
import dev.lycoris4j.train.trainer.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code lycoris sweep}: the runs of a {@link SweepConfig} strictly one at a time, each trained by the
 * {@link RunLauncher} (fresh, resumed, or skipped when finished, as its folder says: {@link RunStatus}) and then
 * evaluated at its checkpoint epochs into the sweep's results CSV by the {@link EvalRunner}, whose images and rows
 * resume by themselves. A run that fails is reported and left for the next invocation; the sweep goes on with the
 * others.
 *
 * <p>Nothing is kept in memory between invocations: a sweep interrupted in any way continues with the same
 * command. A run whose saved arguments differ from what the sweep file now gives stops the sweep before anything
 * trains, so that results of different settings never mix under one run's name.
 */
public final class SweepRunner {
    public enum Outcome {
        /** Every run trained and evaluated. */
        COMPLETED,
        /** Stopped on request; the same command continues. */
        STOPPED,
        /** Some runs failed ({@link Result#failures}); the others trained and evaluated. */
        FAILED
    }

    /**
     * @param trained   runs whose training ended in this invocation (started or resumed)
     * @param evaluated runs evaluated in this invocation
     * @param failures  one line per failed run: its name and what went wrong
     */
    public record Result(Outcome outcome, int trained, int evaluated, List<String> failures) {
        public Result {
            failures = List.copyOf(failures);
        }
    }

    /** The generated training config in each run's folder. */
    public static final String TRAIN_CONFIG = "train.toml";
    /** Held by the running sweep in its output folder, so that two sweeps never work in one folder. */
    public static final String LOCK = "sweep.lock";
    /** What a never-started run's folder keeps when it is cleared: the sweep's own files. */
    private static final Set<String> KEPT = Set.of(TRAIN_CONFIG, ChildProcessLauncher.OUTPUT);
    private static final Duration SHUTDOWN_WAIT = Duration.ofMinutes(10);

    private final SweepConfig config;
    private final RunLauncher launcher;
    private final Consumer<String> log;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicBoolean stopReported = new AtomicBoolean();
    private volatile boolean stopRequested;
    private volatile boolean training;

    public SweepRunner(SweepConfig config, RunLauncher launcher, Consumer<String> log) {
        this.config = config;
        this.launcher = launcher;
        this.log = log;
    }

    /** Every run's status, from disk; changes nothing (a dry run lists these). */
    public List<RunStatus> status() {
        List<RunStatus> out = new ArrayList<>();
        for (SweepConfig.Run run : config.runs()) out.add(RunStatus.of(run));
        return out;
    }

    /** Asks the sweep to stop, from any thread: the training in progress saves its state, nothing new starts. */
    public void requestStop() {
        stopRequested = true;
        launcher.requestStop();
    }

    /**
     * Makes a JVM shutdown (Ctrl-C, SIGTERM) stop the sweep: a training in progress is stopped with its state saved,
     * and the shutdown waits for it; an evaluation in progress just ends (its images and CSV rows are written
     * atomically and resume). Close the handle to remove the hook.
     */
    public Trainer.Registration stopOnShutdown() {
        Thread hook = new Thread(() -> {
            requestStop();
            if (training) {
                // The sweep's thread reports the stop once the training has saved its state.
                try {
                    ended.await(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                reportStop("");
            }
        }, "lycoris-sweep-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running; it returns once the sweep has ended.
            }
        };
    }

    public Result run() throws IOException {
        try {
            Files.createDirectories(config.output());
            try (ProcessLock lock = ProcessLock.tryAcquire(config.output().resolve(LOCK))) {
                if (lock == null) {
                    throw new IllegalArgumentException(config.output() + " is in use by another sweep ("
                            + config.output().resolve(LOCK) + " is locked)");
                }
                return runAll();
            }
        } finally {
            ended.countDown();
        }
    }

    private Result runAll() throws IOException {
        for (SweepConfig.Run run : config.runs()) awaitOtherTraining(run);
        List<RunStatus> statuses = status();
        List<String> conflicts = new ArrayList<>();
        for (RunStatus s : statuses) if (s.conflict() != null) conflicts.add(s.run().name() + " (" + s.conflict() + ")");
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException(config.file() + " now gives other training settings than "
                    + (conflicts.size() == 1 ? "run " : "runs ") + String.join(", ", conflicts) + " trained with; "
                    + "restore them, or delete those run folders to train them anew, or sweep into another output");
        }
        log.accept(String.format("sweep %s: %d runs, checkpoint epochs %s, results in %s", config.file(),
                statuses.size(), config.epochs(), config.eval().results()));
        int trained = 0;
        int evaluated = 0;
        List<String> failures = new ArrayList<>();
        for (RunStatus status : statuses) {
            SweepConfig.Run run = status.run();
            RunLauncher.Result result = train(status);
            if (result.outcome() == RunLauncher.Outcome.FINISHED) result = checkFinished(run);
            switch (result.outcome()) {
                case STOPPED -> {
                    reportStop(" during the training of " + run.name() + " (its state is saved)");
                    return new Result(Outcome.STOPPED, trained, evaluated, failures);
                }
                case FAILED -> {
                    log.accept("[" + run.name() + "] FAILED: " + result.detail());
                    failures.add(run.name() + ": " + result.detail());
                    continue;
                }
                case FINISHED -> {
                    if (status.state() != RunStatus.State.FINISHED) trained++;
                }
            }
            if (stopRequested) {
                reportStop(" before the evaluation of " + run.name());
                return new Result(Outcome.STOPPED, trained, evaluated, failures);
            }
            evaluate(run);
            evaluated++;
        }
        log.accept(String.format("sweep done: %d runs trained, %d evaluated, %d failed; results in %s", trained, evaluated,
                failures.size(), config.eval().results()));
        return new Result(failures.isEmpty() ? Outcome.COMPLETED : Outcome.FAILED, trained, evaluated, failures);
    }

    /** Trains the run as its status says: skips a finished one, resumes an interrupted one, starts the others afresh. */
    private RunLauncher.Result train(RunStatus status) throws IOException {
        SweepConfig.Run run = status.run();
        String prefix = "[" + run.name() + "] ";
        switch (status.state()) {
            case FINISHED -> {
                log.accept(prefix + "trained already (" + status.step() + " steps)");
                return RunLauncher.Result.FINISHED;
            }
            case INTERRUPTED -> log.accept(prefix + "resuming from step " + status.step());
            case NOT_STARTED -> {
                clearPartialOutputs(run.dir());
                Files.createDirectories(run.dir());
                AtomicFiles.writeString(run.dir().resolve(TRAIN_CONFIG), "# written by lycoris sweep from " + config.file()
                        + "\n" + TrainArgs.toToml(run.args()));
                log.accept(prefix + "training (" + run.dir() + ")");
            }
        }
        // Set before the stop check, which the shutdown hook's read of it pairs with: either the hook sees a
        // training to wait for, or this thread sees the stop and starts none.
        training = true;
        try {
            if (stopRequested) return RunLauncher.Result.STOPPED;
            return launcher.train(run.dir(), status.state() == RunStatus.State.INTERRUPTED, line -> log.accept(prefix + line));
        } finally {
            training = false;
        }
    }

    /** A launcher's FINISHED checked on disk: the run is finished and every checkpoint to evaluate is there. */
    private RunLauncher.Result checkFinished(SweepConfig.Run run) {
        RunStatus status = RunStatus.of(run);
        if (status.state() != RunStatus.State.FINISHED) {
            return RunLauncher.Result.failed("the training ended, but " + run.dir() + " holds no finished run ("
                    + status.describe() + ")");
        }
        for (EvalConfig.Checkpoint c : config.checkpoints(run)) {
            if (!Files.isRegularFile(c.adapter())) {
                return RunLauncher.Result.failed("checkpoint " + c.adapter() + " is missing; delete " + run.dir()
                        + " to train the run again");
            }
        }
        return RunLauncher.Result.FINISHED;
    }

    private void evaluate(SweepConfig.Run run) throws IOException {
        if (config.tinyModel() != null) TinyModel.build(config.tinyModel());
        String prefix = "[" + run.name() + "] ";
        log.accept(prefix + "evaluating epochs " + config.epochs());
        EvalRunner.Summary s = new EvalRunner(config.eval().withCheckpoints(config.checkpoints(run)),
                line -> log.accept(prefix + line)).run(false);
        log.accept(prefix + "evaluated: " + s.generated() + " images generated, " + s.scored() + " rows scored, "
                + s.upToDate() + " up to date");
    }

    /**
     * Waits while another process trains in the run's folder: the child of a sweep killed moments ago saves its
     * state and stops (it watches its parent) before this sweep may look at the folder.
     */
    private void awaitOtherTraining(SweepConfig.Run run) throws IOException {
        Path lockFile = run.dir().resolve(Trainer.LOCK);
        if (!Files.exists(lockFile)) return;
        try (ProcessLock free = ProcessLock.tryAcquire(lockFile)) {
            if (free != null) return;
        }
        log.accept("[" + run.name() + "] waiting for the process still training there (" + lockFile + " is locked)");
        try (ProcessLock ignored = ProcessLock.acquire(lockFile)) {
            // Free now: the other process has ended.
        }
    }

    /** Deletes what a run that never saved a state left behind, but the sweep's own files. */
    private static void clearPartialOutputs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                if (KEPT.contains(entry.getFileName().toString())) continue;
                try (Stream<Path> tree = Files.walk(entry)) {
                    for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
                }
            }
        }
    }

    private void reportStop(String where) {
        if (!stopReported.compareAndSet(false, true)) return;
        log.accept("sweep stopped" + where + "; continue with: lycoris sweep --config " + config.file()
                + " (trained runs are kept, an interrupted one resumes, evaluation picks up its images and rows)");
    }
}
