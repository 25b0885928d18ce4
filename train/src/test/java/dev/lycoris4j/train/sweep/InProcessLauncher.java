package dev.lycoris4j.train.sweep;

import dev.lycoris4j.train.trainer.TrainArgs;
import dev.lycoris4j.train.trainer.TrainListener;
import dev.lycoris4j.train.trainer.Trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Trains in this JVM, as {@code lycoris train --config} and {@code --resume} would in a child: no JVM start-up per
 * run, so sweep tests stay fast. Records what it launched, and calls a hook after every step (to interrupt a run).
 */
final class InProcessLauncher implements RunLauncher {
    /** "run-name" or "run-name resume", in launch order. */
    final List<String> launches = new CopyOnWriteArrayList<>();
    private final BiConsumer<String, Long> afterStep;
    private volatile Trainer current;
    private volatile boolean stopRequested;

    /** @param afterStep called with the run's name and the step just done */
    InProcessLauncher(BiConsumer<String, Long> afterStep) {
        this.afterStep = afterStep;
    }

    @Override
    public Result train(Path runDir, boolean resume, Consumer<String> progress) throws IOException {
        if (stopRequested) return Result.STOPPED;
        String name = runDir.getFileName().toString();
        launches.add(name + (resume ? " resume" : ""));
        TrainArgs args = resume ? TrainArgs.forResume(runDir, new TrainArgs())
                : TrainArgs.fromFile(runDir.resolve(SweepRunner.TRAIN_CONFIG));
        Trainer trainer = new Trainer(args.resolve(progress), new TrainListener() {
            @Override
            public void message(String line) {
                progress.accept(line);
            }

            @Override
            public void step(StepReport report) {
                afterStep.accept(name, report.step());
            }
        });
        current = trainer;
        if (stopRequested) trainer.requestStop();
        Trainer.Result r = trainer.run(resume);
        current = null;
        return r.outcome() == Trainer.Outcome.FINISHED ? Result.FINISHED : Result.STOPPED;
    }

    @Override
    public void requestStop() {
        stopRequested = true;
        Trainer t = current;
        if (t != null) t.requestStop();
    }
}
