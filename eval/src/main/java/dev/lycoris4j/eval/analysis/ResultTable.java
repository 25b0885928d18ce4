package dev.lycoris4j.eval.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Results of an evaluation: metric columns, the configurations the rows refer to (by name) and one row
 * per checkpoint × leaf concept. Rows may name configurations that {@code configs} lacks until
 * {@link #joinConfigs} (the reference's inner join) drops them.
 */
public record ResultTable(List<MetricKey> metrics, Map<String, Config> configs, List<ResultRow> rows) {

    public ResultTable {
        metrics = List.copyOf(metrics);
        configs = Map.copyOf(configs);
        rows = List.copyOf(rows);
    }

    public int metricIndex(MetricKey key) {
        return metrics.indexOf(key);
    }

    /** Column {@code metric} over all rows. */
    public double[] column(int metric) {
        double[] out = new double[rows.size()];
        for (int r = 0; r < out.length; r++) out[r] = rows.get(r).values()[metric];
        return out;
    }

    public Config config(ResultRow row) {
        Config config = configs.get(row.config());
        if (config == null) throw new IllegalStateException("row of config " + row.config() + " was never joined");
        return config;
    }

    /** Keeps the rows whose configuration is in {@code table} (pandas' inner merge on Config). */
    public ResultTable joinConfigs(Map<String, Config> table) {
        List<ResultRow> kept = new ArrayList<>();
        Map<String, Config> used = new LinkedHashMap<>();
        for (ResultRow row : rows) {
            Config config = table.get(row.config());
            if (config == null) continue;
            kept.add(row);
            used.put(config.name(), config);
        }
        return new ResultTable(metrics, used, kept);
    }

    public ResultTable withRows(List<ResultRow> newRows) {
        return new ResultTable(metrics, configs, newRows);
    }
}
