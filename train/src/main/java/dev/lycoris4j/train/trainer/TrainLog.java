package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code train-log.csv}: one row per optimizer step (step, epoch, loss, lr, seconds). The rows are kept in memory
 * and the whole file is rewritten atomically when flushed, so it is never half-written; a resumed run keeps the
 * rows up to the step it resumes from and drops any later ones (logged after the last saved state).
 */
final class TrainLog {
    static final String HEADER = "step,epoch,loss,lr,seconds";

    private final Path file;
    private final List<String> rows = new ArrayList<>();

    private TrainLog(Path file) {
        this.file = file;
    }

    /** A log continuing from {@code step} (0: a new run, whatever the file holds). */
    static TrainLog open(Path file, long step) throws IOException {
        TrainLog log = new TrainLog(file);
        if (step > 0 && Files.isRegularFile(file)) {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                int comma = line.indexOf(',');
                if (comma > 0 && Long.parseLong(line.substring(0, comma)) <= step) log.rows.add(line);
            }
        }
        return log;
    }

    void add(long step, int epoch, double loss, double lr, double seconds) {
        rows.add(String.format(Locale.ROOT, "%d,%d,%.8g,%.8g,%.4f", step, epoch, loss, lr, seconds));
    }

    void flush() throws IOException {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (String r : rows) b.append(r).append('\n');
        AtomicFiles.writeString(file, b.toString());
    }
}
