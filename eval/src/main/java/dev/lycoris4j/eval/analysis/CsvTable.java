package dev.lycoris4j.eval.analysis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file as RFC 4180 (and pandas' {@code to_csv}) writes it: comma-separated, {@code "}-quoted cells
 * with {@code ""} for a quote, quoted cells may hold commas and line breaks (the reference's Folder values
 * do: {@code Saw_Gerrera/afro, illustration}). Every cell remembers its line and column so that a bad
 * value can be reported as {@code file:line:column: message}.
 */
public record CsvTable(Path file, List<String> header, List<Row> rows) {

    /** One record: its cells and, per cell, the 1-based line and column where the cell starts. */
    public record Row(List<String> cells, int[] lines, int[] columns) {
        public String cell(int index) {
            return cells.get(index);
        }
    }

    public CsvTable {
        header = List.copyOf(header);
        rows = List.copyOf(rows);
    }

    /** Index of the header column {@code name}, or -1. */
    public int column(String name) {
        return header.indexOf(name);
    }

    /** Index of the header column {@code name}; fails naming the file when it is missing. */
    public int requireColumn(String name) {
        int index = column(name);
        if (index < 0) {
            throw new IllegalArgumentException(file + ":1:1: missing column '" + name + "' (header: "
                    + String.join(", ", header) + ")");
        }
        return index;
    }

    /** An exception whose message locates cell {@code index} of {@code row}. */
    public IllegalArgumentException error(Row row, int index, String message) {
        return new IllegalArgumentException(file + ":" + row.lines[index] + ":" + row.columns[index] + ": " + message);
    }

    /** The cell as a number: empty, {@code nan}, {@code NaN} and {@code N/A} are NaN (pandas' defaults). */
    public double number(Row row, int index) {
        String text = row.cell(index).strip();
        if (text.isEmpty() || text.equalsIgnoreCase("nan") || text.equals("N/A") || text.equals("NA")) return Double.NaN;
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw error(row, index, "'" + text + "' in column '" + header.get(index) + "' is not a number");
        }
    }

    public static CsvTable read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<Row> records = new Parser(file, text).records();
        if (records.isEmpty()) throw new IllegalArgumentException(file + ":1:1: empty file (a header line is required)");
        Row header = records.getFirst();
        List<Row> rows = records.subList(1, records.size());
        for (Row row : rows) {
            if (row.cells.size() != header.cells.size()) {
                throw new IllegalArgumentException(file + ":" + row.lines[0] + ":1: " + row.cells.size()
                        + " cells, but the header has " + header.cells.size());
            }
        }
        return new CsvTable(file, header.cells, rows);
    }

    /** One CSV line (with its line break) that {@link #read} reads back as {@code cells}. */
    public static String formatRow(List<String> cells) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) out.append(',');
            String cell = cells.get(i);
            boolean quote = cell.indexOf(',') >= 0 || cell.indexOf('"') >= 0 || cell.indexOf('\n') >= 0
                    || cell.indexOf('\r') >= 0;
            out.append(quote ? '"' + cell.replace("\"", "\"\"") + '"' : cell);
        }
        return out.append('\n').toString();
    }

    /** A one-pass scanner over the whole text; tracks the line and column of every cell start. */
    private static final class Parser {
        private final Path file;
        private final String text;
        private int pos;
        private int line = 1;
        private int lineStart;

        Parser(Path file, String text) {
            this.file = file;
            this.text = text;
        }

        List<Row> records() {
            List<Row> out = new ArrayList<>();
            while (pos < text.length()) {
                if (atLineBreak()) {
                    skipLineBreak(); // blank lines carry no record (pandas skips them too)
                    continue;
                }
                out.add(record());
            }
            return out;
        }

        private Row record() {
            List<String> cells = new ArrayList<>();
            List<int[]> starts = new ArrayList<>();
            while (true) {
                starts.add(new int[] {line, pos - lineStart + 1});
                cells.add(cell());
                if (pos >= text.length()) break;
                if (text.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                skipLineBreak();
                break;
            }
            int[] lines = new int[starts.size()];
            int[] columns = new int[starts.size()];
            for (int i = 0; i < lines.length; i++) {
                lines[i] = starts.get(i)[0];
                columns[i] = starts.get(i)[1];
            }
            return new Row(List.copyOf(cells), lines, columns);
        }

        private String cell() {
            if (pos < text.length() && text.charAt(pos) == '"') return quotedCell();
            int start = pos;
            while (pos < text.length() && text.charAt(pos) != ',' && !atLineBreak()) {
                if (text.charAt(pos) == '"') throw error("a quote inside an unquoted cell (quote the whole cell)");
                pos++;
            }
            return text.substring(start, pos);
        }

        private String quotedCell() {
            int openLine = line;
            int openColumn = pos - lineStart + 1;
            pos++;
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw new IllegalArgumentException(file + ":" + openLine + ":" + openColumn
                            + ": quoted cell is never closed");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    if (pos + 1 < text.length() && text.charAt(pos + 1) == '"') {
                        out.append('"');
                        pos += 2;
                        continue;
                    }
                    pos++;
                    if (pos < text.length() && text.charAt(pos) != ',' && !atLineBreak()) {
                        throw error("text after the closing quote of a cell");
                    }
                    return out.toString();
                }
                if (c == '\n') {
                    line++;
                    lineStart = pos + 1;
                }
                out.append(c);
                pos++;
            }
        }

        private boolean atLineBreak() {
            char c = text.charAt(pos);
            return c == '\n' || c == '\r';
        }

        private void skipLineBreak() {
            if (text.charAt(pos) == '\r') pos++;
            if (pos < text.length() && text.charAt(pos) == '\n') pos++;
            line++;
            lineStart = pos;
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException(file + ":" + line + ":" + (pos - lineStart + 1) + ": " + message);
        }
    }
}
