package dev.lycoris4j.eval.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Reads a results CSV in either format (docs/evaluation.md): the reference's wide metrics CSV (a
 * {@code Folder} column, one row per generated leaf folder, one column per metric and condition), joined
 * to its config table later; or this project's eval CSV, one row per checkpoint × concept × prompt type
 * with the hyper-parameters in explicit columns. Either way the result has one row per checkpoint × leaf
 * concept and metric columns sorted by label (the reference sorts its columns alphabetically).
 */
public final class ResultsReader {
    private ResultsReader() {}

    /** Explicit columns of the eval CSV; every other column except {@link #IMAGES_COLUMN} is a metric. */
    public static final List<String> EVAL_COLUMNS = List.of("algo", "preset", "lr", "dim", "alpha", "factor", "seed",
            "epoch", "category", "class", "subclass", "prompt_type");
    /** Optional eval CSV column: the folder of the images generated for the row. */
    public static final String IMAGES_COLUMN = "images";
    /**
     * Prompt types of the eval CSV: the reference's condition tags plus {@code agnostic} (concept-agnostic
     * prompts, which the reference lacks; written by {@code lycoris eval}).
     */
    public static final List<String> PROMPT_TYPES = List.of("in", "out", "trigger", "base model", "agnostic");
    /** The reference's prompt-file stems by condition tag: the image folder names of a generated leaf. */
    public static final Map<String, String> PROMPT_STEMS = Map.of("in", "in_dist_prompts", "out", "out_dist_prompts",
            "trigger", "triggeronly", "base model", "style_prompts", "agnostic", "agnostic_prompts");

    /**
     * @param configTable the reference's config table; required for, and only for, the reference format
     * @param imageRoot   reference format: the generated tree the Folder paths are relative to; eval format:
     *                    the folder relative image paths start from (default: the CSV's folder); may be null
     */
    public static ResultTable read(Path file, Path configTable, Path imageRoot) throws IOException {
        CsvTable csv = CsvTable.read(file);
        if (csv.column("Folder") >= 0) {
            if (configTable == null) {
                throw new IllegalArgumentException(file + " is a reference metrics CSV (it has a Folder column): "
                        + "the config table (config_mapping.csv) is required to know each Config's hyper-parameters");
            }
            return readReference(csv, ConfigTable.read(configTable), imageRoot);
        }
        if (csv.column("prompt_type") >= 0) {
            if (configTable != null) {
                throw new IllegalArgumentException(file + " is an eval CSV with explicit hyper-parameter columns: "
                        + "a config table applies only to reference metrics CSVs");
            }
            Path parent = file.toAbsolutePath().getParent();
            return readEval(csv, imageRoot != null ? imageRoot : parent);
        }
        throw new IllegalArgumentException(file + ":1:1: neither a reference metrics CSV (a Folder column) nor an "
                + "eval CSV (columns " + String.join(", ", EVAL_COLUMNS) + ")");
    }

    private static ResultTable readReference(CsvTable csv, Map<String, Config> configs, Path imageRoot) {
        int folderColumn = csv.requireColumn("Folder");
        Map<MetricKey, Integer> columns = new TreeMap<>(Comparator.comparing(MetricKey::label));
        for (int c = 0; c < csv.header().size(); c++) {
            if (c == folderColumn) continue;
            String name = csv.header().get(c);
            MetricKey key = metricKey(csv, c, () -> MetricKey.ofReferenceColumn(name));
            if (columns.put(key, c) != null) {
                throw new IllegalArgumentException(csv.file() + ":1: two columns are the metric " + key.label());
            }
        }
        List<MetricKey> metrics = List.copyOf(columns.keySet());
        List<ResultRow> rows = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (CsvTable.Row row : csv.rows()) {
            String folder = row.cell(folderColumn).strip();
            if (!ReferenceFolder.isExperiment(folder)) continue;
            Integer previous = seen.putIfAbsent(folder, row.lines()[folderColumn]);
            if (previous != null) throw csv.error(row, folderColumn, "Folder '" + folder + "' already on line " + previous);
            ReferenceFolder parsed;
            try {
                parsed = ReferenceFolder.parse(folder);
            } catch (IllegalArgumentException e) {
                throw csv.error(row, folderColumn, e.getMessage());
            }
            double[] values = new double[metrics.size()];
            int i = 0;
            for (int c : columns.values()) values[i++] = csv.number(row, c);
            rows.add(new ResultRow(parsed.config(), parsed.seed(), parsed.step(), parsed.weight(), parsed.concept(),
                    values, referenceImages(imageRoot, folder)));
        }
        return new ResultTable(metrics, configs, rows);
    }

    private static MetricKey metricKey(CsvTable csv, int column, Supplier<MetricKey> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(csv.file() + ":1:" + (column + 1) + ": " + e.getMessage());
        }
    }

    private static Map<String, Path> referenceImages(Path imageRoot, String folder) {
        if (imageRoot == null) return Map.of();
        Map<String, Path> out = new TreeMap<>();
        for (Map.Entry<String, String> stem : PROMPT_STEMS.entrySet()) {
            Path dir = imageRoot.resolve(folder).resolve(stem.getValue());
            if (Files.isDirectory(dir)) out.put(stem.getKey(), dir);
        }
        return out;
    }

    /** A checkpoint × concept of the eval CSV: the row key its prompt-type rows are gathered under. */
    private record EvalKey(String config, String seed, int step, Concept concept) {}

    /** One row of the eval CSV: its checkpoint × concept and prompt type, which must be unique. */
    private record EvalCell(EvalKey key, String promptType) {}

    private static ResultTable readEval(CsvTable csv, Path imageBase) {
        Map<String, Integer> at = new HashMap<>();
        for (String name : EVAL_COLUMNS) at.put(name, csv.requireColumn(name));
        int images = csv.column(IMAGES_COLUMN);
        List<Integer> metricColumns = new ArrayList<>();
        for (int c = 0; c < csv.header().size(); c++) {
            if (!at.containsValue(c) && c != images) metricColumns.add(c);
        }
        Map<String, Config> configs = new LinkedHashMap<>();
        Map<EvalKey, Map<MetricKey, Double>> values = new LinkedHashMap<>();
        Map<EvalKey, Map<String, Path>> folders = new HashMap<>();
        Map<EvalCell, Integer> seen = new HashMap<>();
        for (CsvTable.Row row : csv.rows()) {
            Config config = evalConfig(csv, row, at);
            Config known = configs.putIfAbsent(config.name(), config);
            if (known != null && !known.equals(config)) {
                throw csv.error(row, at.get("algo"), "hyper-parameters round to the name " + config.name()
                        + " of a different configuration");
            }
            String promptType = row.cell(at.get("prompt_type")).strip();
            if (!PROMPT_TYPES.contains(promptType)) {
                throw csv.error(row, at.get("prompt_type"), "prompt_type '" + promptType + "' is not one of "
                        + String.join(", ", PROMPT_TYPES));
            }
            EvalKey key = new EvalKey(config.name(), required(csv, row, at.get("seed")), epoch(csv, row, at.get("epoch")),
                    new Concept(required(csv, row, at.get("category")), required(csv, row, at.get("class")),
                            row.cell(at.get("subclass")).strip()));
            Integer previous = seen.putIfAbsent(new EvalCell(key, promptType), row.lines()[0]);
            if (previous != null) {
                throw csv.error(row, 0, "the same checkpoint, concept and prompt_type as line " + previous);
            }
            Map<MetricKey, Double> cells = values.computeIfAbsent(key, k -> new HashMap<>());
            for (int c : metricColumns) {
                String name = csv.header().get(c);
                MetricKey metric = metricKey(csv, c, () -> MetricKey.ofColumn(name, promptType));
                cells.put(metric, csv.number(row, c));
            }
            if (images >= 0 && !row.cell(images).isBlank()) {
                folders.computeIfAbsent(key, k -> new TreeMap<>()).put(promptType, imageBase.resolve(row.cell(images).strip()));
            }
        }
        // A metric measured for some prompt types only (style loss: base model) must not leave all-NaN columns.
        TreeMap<String, MetricKey> measured = new TreeMap<>();
        for (Map<MetricKey, Double> cells : values.values()) {
            cells.forEach((metric, v) -> {
                if (!Double.isNaN(v)) measured.put(metric.label(), metric);
            });
        }
        List<MetricKey> metrics = List.copyOf(measured.values());
        List<ResultRow> rows = new ArrayList<>();
        for (Map.Entry<EvalKey, Map<MetricKey, Double>> e : values.entrySet()) {
            double[] v = new double[metrics.size()];
            for (int i = 0; i < v.length; i++) v[i] = e.getValue().getOrDefault(metrics.get(i), Double.NaN);
            EvalKey k = e.getKey();
            rows.add(new ResultRow(k.config(), k.seed(), k.step(), 1, k.concept(), v,
                    folders.getOrDefault(k, Map.of())));
        }
        return new ResultTable(metrics, configs, rows);
    }

    private static Config evalConfig(CsvTable csv, CsvTable.Row row, Map<String, Integer> at) {
        String algo = required(csv, row, at.get("algo"));
        String preset = required(csv, row, at.get("preset"));
        double lr = csv.number(row, at.get("lr"));
        if (Double.isNaN(lr)) throw csv.error(row, at.get("lr"), "lr is required");
        double dim = csv.number(row, at.get("dim"));
        double alpha = csv.number(row, at.get("alpha"));
        double factor = csv.number(row, at.get("factor"));
        StringBuilder name = new StringBuilder(algo).append('-').append(preset).append("-lr").append(Numbers.compact(lr));
        if (!Double.isNaN(dim)) name.append("-d").append(Numbers.compact(dim));
        if (!Double.isNaN(alpha)) name.append("-a").append(Numbers.compact(alpha));
        if (!Double.isNaN(factor)) name.append("-f").append(Numbers.compact(factor));
        return new Config(name.toString(), algo, preset, lr, dim, alpha, factor, "");
    }

    private static String required(CsvTable csv, CsvTable.Row row, int column) {
        String text = row.cell(column).strip();
        if (text.isEmpty()) throw csv.error(row, column, "empty " + csv.header().get(column));
        return text;
    }

    private static int epoch(CsvTable csv, CsvTable.Row row, int column) {
        String text = required(csv, row, column);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw csv.error(row, column, "epoch '" + text + "' is not an integer");
        }
    }
}
