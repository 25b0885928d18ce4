package dev.lycoris4j.train.sweep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Runs one training of a sweep: {@link ChildProcessLauncher} in a fresh JVM; tests, or a cluster scheduler later,
 * supply others. The run's folder holds its {@code train.toml} ({@link SweepRunner#TRAIN_CONFIG}); a resumed run
 * continues from the {@code state/} there, as {@code lycoris train --resume} does.
 */
public interface RunLauncher {

    enum Outcome {
        /** The training ran to its end. */
        FINISHED,
        /** The training was stopped with its state saved (a stop request, Ctrl-C); it resumes later. */
        STOPPED,
        /** The training failed; {@link Result#detail} says how and where its log is. */
        FAILED
    }

    /** @param detail for FAILED, what went wrong in one line; otherwise empty */
    record Result(Outcome outcome, String detail) {
        public static final Result FINISHED = new Result(Outcome.FINISHED, "");
        public static final Result STOPPED = new Result(Outcome.STOPPED, "");

        public static Result failed(String detail) {
            return new Result(Outcome.FAILED, detail);
        }
    }

    /**
     * Trains the run in {@code runDir} from its {@code train.toml}, or with {@code resume} from its state, and blocks
     * until the training has ended. {@code progress} gets the training's progress lines.
     */
    Result train(Path runDir, boolean resume, Consumer<String> progress) throws IOException;

    /**
     * Asks the training in progress, from any thread, to save its state and stop; {@link #train} then returns
     * STOPPED. A stopped launcher stays stopped: later calls of {@link #train} return STOPPED at once.
     */
    void requestStop();
}
