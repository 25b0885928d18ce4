package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.memory.ProcessMemory;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints a run's progress: on a terminal one line rewritten in place after every step; otherwise (a log file, a
 * pipe) a plain line every 1% of the run and at its last step. Each shows step, epoch, loss, learning rate,
 * seconds per step, the ETA and resident memory (which stays flat over a healthy run).
 */
public final class ConsoleProgress implements TrainListener {
    private final PrintWriter out;
    private final boolean terminal;
    private boolean midLine;

    public ConsoleProgress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void message(String line) {
        if (midLine) out.println();
        midLine = false;
        out.println(line);
        out.flush();
    }

    @Override
    public void step(StepReport r) {
        String line = String.format(Locale.ROOT, "step %d/%d  epoch %d/%d  loss %.4f  lr %.3g  %.2f s/step  ETA %s  rss %d MB",
                r.step(), r.totalSteps(), r.epoch(), r.totalEpochs(), r.loss(), r.lr(), r.seconds(), duration(r.etaSeconds()),
                ProcessMemory.residentBytes() >> 20);
        boolean last = r.step() == r.totalSteps();
        if (terminal) {
            out.print("\r" + line + "\u001B[K");
            midLine = !last;
            if (last) out.println();
        } else if (last || r.step() % Math.max(1, r.totalSteps() / 100) == 0) {
            out.println(line);
        }
        out.flush();
    }

    /** h:mm:ss, or m:ss under an hour. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
