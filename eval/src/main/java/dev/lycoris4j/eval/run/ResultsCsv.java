package dev.lycoris4j.eval.run;

import dev.lycoris4j.core.io.AtomicFiles;
import dev.lycoris4j.eval.analysis.CsvTable;
import dev.lycoris4j.eval.analysis.ResultsReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The eval results CSV (docs/evaluation.md): the explicit columns {@link ResultsReader#EVAL_COLUMNS}, one
 * column per metric (sorted by name), then {@code images}; one row per checkpoint × leaf × prompt type.
 *
 * <p>Every {@link #put} rewrites the whole file through {@link AtomicFiles}: read once, updated in memory,
 * written to a temporary file that is forced to disk and renamed over the old one. A crash leaves the old or
 * the new file, never a torn last line (which an append can leave), and an existing row is updated in place,
 * as the reference updates its cells. The cost, one rewrite per row, is small next to generating the images.
 */
final class ResultsCsv {
    private static final List<String> NUMERIC_LABELS = List.of("lr", "dim", "alpha", "factor", "epoch");

    private final Path file;
    private final TreeSet<String> metricColumns = new TreeSet<>();
    private final Map<List<String>, Map<String, String>> rows = new LinkedHashMap<>();

    private ResultsCsv(Path file) {
        this.file = file;
    }

    /** The file's rows, or none when it does not exist yet. */
    static ResultsCsv open(Path file) {
        ResultsCsv csv = new ResultsCsv(file);
        if (!Files.exists(file)) return csv;
        CsvTable table;
        try {
            table = CsvTable.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read results " + file + ": " + e.getMessage(), e);
        }
        for (String column : ResultsReader.EVAL_COLUMNS) table.requireColumn(column);
        for (String column : table.header()) {
            if (!ResultsReader.EVAL_COLUMNS.contains(column) && !column.equals(ResultsReader.IMAGES_COLUMN)) {
                csv.metricColumns.add(column);
            }
        }
        for (CsvTable.Row row : table.rows()) {
            Map<String, String> cells = new HashMap<>();
            for (int c = 0; c < table.header().size(); c++) cells.put(table.header().get(c), row.cell(c));
            csv.rows.put(key(cells), cells);
        }
        return csv;
    }

    /** Whether the row with these label cells has a value in every one of {@code columns}. */
    boolean isComplete(Map<String, String> labels, Collection<String> columns) {
        Map<String, String> row = rows.get(key(labels));
        if (row == null) return false;
        for (String c : columns) {
            String v = row.get(c);
            if (v == null || v.isBlank()) return false;
        }
        return true;
    }

    /** Sets the row's metrics (others of the row are kept) and rewrites the file. */
    void put(Map<String, String> labels, Map<String, Double> metrics, String images) {
        Map<String, String> row = rows.computeIfAbsent(key(labels), k -> new HashMap<>());
        row.putAll(labels);
        metrics.forEach((column, value) -> row.put(column, Double.isNaN(value) ? "" : Double.toString(value)));
        row.put(ResultsReader.IMAGES_COLUMN, images);
        metricColumns.addAll(metrics.keySet());
        write();
    }

    /** A label number as a short decimal: 0.0005, 8, 10000; empty for NaN. */
    static String label(double v) {
        return Double.isNaN(v) ? "" : BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private void write() {
        List<String> header = new ArrayList<>(ResultsReader.EVAL_COLUMNS);
        header.addAll(metricColumns);
        header.add(ResultsReader.IMAGES_COLUMN);
        StringBuilder out = new StringBuilder(CsvTable.formatRow(header));
        for (Map<String, String> row : rows.values()) {
            List<String> cells = new ArrayList<>(header.size());
            for (String column : header) cells.add(row.getOrDefault(column, ""));
            out.append(CsvTable.formatRow(cells));
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.writeString(file, out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results " + file + ": " + e.getMessage(), e);
        }
    }

    /** The row key: the label cells, numbers normalised so that 5e-4 and 0.0005 are the same row. */
    private static List<String> key(Map<String, String> cells) {
        List<String> key = new ArrayList<>(ResultsReader.EVAL_COLUMNS.size());
        for (String column : ResultsReader.EVAL_COLUMNS) {
            String v = cells.getOrDefault(column, "").strip();
            if (NUMERIC_LABELS.contains(column) && !v.isEmpty()) {
                try {
                    v = label(Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    // Left as written: the analysis reports the bad cell with its line and column.
                }
            }
            key.add(v);
        }
        return key;
    }
}
