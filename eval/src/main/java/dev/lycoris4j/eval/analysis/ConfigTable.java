package dev.lycoris4j.eval.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the reference's {@code exp_configs/config_mapping.csv}: {@code Config,Algo,Preset,Lr,Dim,Alpha,Factor}
 * and optionally {@code Caption}; {@code N/A} or empty cells are NaN.
 */
public final class ConfigTable {
    private ConfigTable() {}

    public static Map<String, Config> read(Path file) throws IOException {
        CsvTable csv = CsvTable.read(file);
        int name = csv.requireColumn("Config");
        int algo = csv.requireColumn("Algo");
        int preset = csv.requireColumn("Preset");
        int lr = csv.requireColumn("Lr");
        int dim = csv.requireColumn("Dim");
        int alpha = csv.requireColumn("Alpha");
        int factor = csv.requireColumn("Factor");
        int caption = csv.column("Caption");
        Map<String, Config> out = new LinkedHashMap<>();
        for (CsvTable.Row row : csv.rows()) {
            String config = row.cell(name).strip();
            if (config.isEmpty()) throw csv.error(row, name, "empty Config");
            if (out.containsKey(config)) throw csv.error(row, name, "Config '" + config + "' is listed twice");
            out.put(config, new Config(config, row.cell(algo).strip(), row.cell(preset).strip(), csv.number(row, lr),
                    csv.number(row, dim), csv.number(row, alpha), csv.number(row, factor),
                    caption < 0 ? "" : row.cell(caption).strip()));
        }
        return out;
    }
}
