package dev.lycoris4j.train.sweep;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Trains each run in a child process, {@code lycoris train --config <run>/train.toml} (or {@code --resume <run>}):
 * a fresh JVM per run, so that all its native memory goes back to the system when it ends, and a crash of one run
 * (an out-of-memory kill included) is reported with its log instead of ending the sweep.
 *
 * <p>The child's output goes to {@code <run>/train.out} (appended, one header line per attempt) and, line by line, to
 * the progress consumer. The child gets {@code --stop-with-process <our pid>}: if this process dies without
 * stopping it (kill -9, power loss of a remote shell), the child saves its state and stops instead of training on
 * unseen, so that a restarted sweep finds the run as it left it. {@link #requestStop} sends the child SIGTERM, on
 * which it saves its state and exits.
 */
public final class ChildProcessLauncher implements RunLauncher {
    /** The output file of the run's training, in its folder. */
    public static final String OUTPUT = "train.out";
    /** Exit codes of a JVM ended by SIGINT (Ctrl-C) and SIGTERM: the training saved its state on the way out. */
    private static final Set<Integer> SIGNALLED = Set.of(130, 143);

    private final List<String> lycoris;
    private volatile Process process;
    private volatile boolean stopRequested;

    /**
     * @param lycoris the command that runs the {@code lycoris} command line, up to its first argument: the java
     *                binary, its options, the class path and the main class
     */
    public ChildProcessLauncher(List<String> lycoris) {
        this.lycoris = List.copyOf(lycoris);
    }

    @Override
    public Result train(Path runDir, boolean resume, Consumer<String> progress) throws IOException {
        if (stopRequested) return Result.STOPPED;
        List<String> arguments = new ArrayList<>(List.of("train"));
        arguments.addAll(resume ? List.of("--resume", runDir.toString())
                : List.of("--config", runDir.resolve(SweepRunner.TRAIN_CONFIG).toString()));
        arguments.addAll(List.of("--stop-with-process", Long.toString(ProcessHandle.current().pid())));
        List<String> command = new ArrayList<>(lycoris);
        command.addAll(arguments);

        Path output = runDir.resolve(OUTPUT);
        String last = null;
        int code;
        // A log appended line by line as the child writes it (not an atomic file): a crash leaves what was written.
        try (BufferedWriter log = Files.newBufferedWriter(output, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            log.write("# " + Instant.now() + ": lycoris " + String.join(" ", arguments));
            log.newLine();
            log.flush();
            Process p = new ProcessBuilder(command).directory(runDir.toFile()).redirectErrorStream(true).start();
            process = p;
            try {
                // A stop requested while the child was starting found no process to signal.
                if (stopRequested) terminate(p);
                try (BufferedReader in = p.inputReader(StandardCharsets.UTF_8)) {
                    for (String line; (line = in.readLine()) != null; ) {
                        log.write(line);
                        log.newLine();
                        log.flush();
                        progress.accept(line);
                        if (!line.isBlank()) last = line;
                    }
                } catch (IOException e) {
                    // Its output can no longer be kept: stop the child rather than leave it training unseen.
                    terminate(p);
                    throw e;
                }
                code = p.waitFor();
            } catch (InterruptedException e) {
                terminate(p);
                Thread.currentThread().interrupt();
                return Result.STOPPED;
            } finally {
                process = null;
            }
            log.write("# exit code " + code);
            log.newLine();
        }
        if (code == 0) return Result.FINISHED;
        if (stopRequested || SIGNALLED.contains(code)) return Result.STOPPED;
        return Result.failed("exit code " + code + (last == null ? "" : ", last output: " + last) + " (whole output: " + output + ")");
    }

    @Override
    public void requestStop() {
        stopRequested = true;
        Process p = process;
        if (p != null) terminate(p);
    }

    /**
     * SIGTERM, on which the child's shutdown hook stops its training at the next step with the state saved. Through
     * the process handle: {@link Process#destroy} would also close our end of its output, cutting off the lines it
     * still writes while it stops.
     */
    private static void terminate(Process p) {
        p.toHandle().destroy();
    }
}
