package dev.lycoris4j.adapters.tools;

import java.io.PrintWriter;

/**
 * A text progress bar. On a terminal it redraws one line in place ({@code \r}); anywhere else (a log, a pipe)
 * it prints a plain line at every tenth of the work, so logs stay short and readable.
 */
public final class ProgressBar implements Progress {
    private static final int BAR_WIDTH = 30;
    private static final int LABEL_WIDTH = 60;

    private final PrintWriter out;
    private final String task;
    private final boolean terminal;
    private int lastTenth = -1;

    public ProgressBar(PrintWriter out, String task, boolean terminal) {
        this.out = out;
        this.task = task;
        this.terminal = terminal;
    }

    /** A bar that redraws in place when this process's console is a terminal, plain lines otherwise. */
    public static ProgressBar forConsole(PrintWriter out, String task) {
        java.io.Console console = System.console();
        return new ProgressBar(out, task, console != null && console.isTerminal());
    }

    @Override
    public void step(int done, int total, String current) {
        if (total <= 0) return;
        if (terminal) {
            int filled = (int) ((long) BAR_WIDTH * done / total);
            out.print("\r" + task + " [" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] "
                    + done + "/" + total + " " + fit(current));
            if (done == total) out.println();
        } else {
            int tenth = (int) (10L * done / total);
            if (tenth == lastTenth) return;
            lastTenth = tenth;
            out.println(task + ": " + done + "/" + total + " (" + tenth * 10 + "%)" + (current.isEmpty() ? "" : " " + current));
        }
        out.flush();
    }

    /** Pads or cuts the label to a fixed width, so a shorter label fully overwrites a longer one. */
    private static String fit(String label) {
        if (label.length() > LABEL_WIDTH) return "…" + label.substring(label.length() - LABEL_WIDTH + 1);
        return label + " ".repeat(LABEL_WIDTH - label.length());
    }
}
