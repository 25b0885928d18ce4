package dev.lycoris4j.eval.analysis;

import dev.lycoris4j.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The report's machine-readable tables: the per-leaf table after ranking and join (the reference's
 * preprocessed DataFrame, header levels joined by " | ") and the aggregated means, standard errors and counts.
 */
final class ReportCsv {
    private ReportCsv() {}

    private static final List<String> CONFIG_COLUMNS = List.of("Config", "Algo", "Preset", "Lr", "Dim", "Alpha",
            "Factor", "Caption");

    private static List<String> configCells(Config c) {
        return List.of(c.name(), c.algo(), c.preset(), Numbers.csv(c.lr()), Numbers.csv(c.dim()), Numbers.csv(c.alpha()),
                Numbers.csv(c.factor()), c.caption());
    }

    static void writeTable(Path file, ResultTable table) throws IOException {
        List<String> header = new ArrayList<>(CONFIG_COLUMNS);
        header.addAll(List.of("Seed", "Step", "Weight", "Category", "Class", "Subclass"));
        table.metrics().forEach(m -> header.add(m.label()));
        StringBuilder out = new StringBuilder(CsvTable.formatRow(header));
        for (ResultRow r : table.rows()) {
            List<String> cells = new ArrayList<>(configCells(table.config(r)));
            cells.addAll(List.of(r.seed(), Integer.toString(r.step()), Numbers.csv(r.weight()), r.concept().category(),
                    r.concept().cls(), r.concept().subclass()));
            for (double v : r.values()) cells.add(Numbers.csv(v));
            out.append(CsvTable.formatRow(cells));
        }
        AtomicFiles.writeString(file, out.toString());
    }

    static void writeGroups(Path file, ResultTable table, List<Aggregation.Group> groups, boolean withCategory)
            throws IOException {
        List<String> header = new ArrayList<>(CONFIG_COLUMNS);
        header.addAll(List.of("Step", "Weight"));
        if (withCategory) header.add("Category");
        for (MetricKey m : table.metrics()) {
            header.addAll(List.of(m.label() + " | mean", m.label() + " | stderr", m.label() + " | count"));
        }
        StringBuilder out = new StringBuilder(CsvTable.formatRow(header));
        for (Aggregation.Group g : groups) {
            List<String> cells = new ArrayList<>(configCells(table.configs().get(g.key().config())));
            cells.addAll(List.of(Integer.toString(g.key().step()), Numbers.csv(g.key().weight())));
            if (withCategory) cells.add(g.key().category());
            for (int m = 0; m < g.mean().length; m++) {
                cells.addAll(List.of(Numbers.csv(g.mean()[m]), Numbers.csv(g.stderr()[m]), Integer.toString(g.count()[m])));
            }
            out.append(CsvTable.formatRow(cells));
        }
        AtomicFiles.writeString(file, out.toString());
    }
}
