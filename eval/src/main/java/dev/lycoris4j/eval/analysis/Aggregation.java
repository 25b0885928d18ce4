package dev.lycoris4j.eval.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference's {@code aggregate.py}. First {@link #bySubclass}: the sub-classes of a class are averaged
 * (mean only) so that every class weighs the same. Then {@link #aggregate}: rows are grouped by
 * configuration, step and weight, plus seed unless seeds are grouped, plus class (level CLASS) and
 * category (levels CLASS and CATEGORY); each metric gets the mean and the standard error
 * sd(ddof 1) / √count over its non-NaN values, as pandas computes them.
 */
public final class Aggregation {
    private Aggregation() {}

    public enum Level { CLASS, CATEGORY, ALL }

    /** A group key; the parts aggregated over are {@code ""}. */
    public record Key(String config, String seed, int step, double weight, String category, String cls) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::config).thenComparing(Key::seed)
                .thenComparingInt(Key::step).thenComparingDouble(Key::weight).thenComparing(Key::category)
                .thenComparing(Key::cls);
    }

    /** One aggregated group: per metric the mean, the standard error and the number of non-NaN values. */
    public record Group(Key key, double[] mean, double[] stderr, int[] count) {}

    /** One row per checkpoint × class: sub-class rows averaged (NaN skipped), other rows unchanged. */
    public static ResultTable bySubclass(ResultTable table) {
        Map<Key, List<ResultRow>> classes = new TreeMap<>(Key.ORDER);
        List<ResultRow> out = new ArrayList<>();
        for (ResultRow row : table.rows()) {
            if (!row.concept().hasSubclass()) {
                out.add(row);
                continue;
            }
            Key key = new Key(row.config(), row.seed(), row.step(), row.weight(), row.concept().category(),
                    row.concept().cls());
            classes.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        }
        for (List<ResultRow> members : classes.values()) {
            ResultRow first = members.getFirst();
            double[] mean = new double[table.metrics().size()];
            for (int m = 0; m < mean.length; m++) mean[m] = stats(members, m).mean;
            // Images stay with their sub-class rows: an averaged class row has no single image folder.
            out.add(new ResultRow(first.config(), first.seed(), first.step(), first.weight(),
                    first.concept().classOnly(), mean, Map.of()));
        }
        return table.withRows(out);
    }

    /** Groups class rows (the output of {@link #bySubclass}) at {@code level}. */
    public static List<Group> aggregate(ResultTable classRows, Level level, boolean groupSeeds) {
        Map<Key, List<ResultRow>> groups = new TreeMap<>(Key.ORDER);
        for (ResultRow row : classRows.rows()) {
            Key key = new Key(row.config(), groupSeeds ? "" : row.seed(), row.step(), row.weight(),
                    level == Level.ALL ? "" : row.concept().category(),
                    level == Level.CLASS ? row.concept().cls() : "");
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        }
        List<Group> out = new ArrayList<>(groups.size());
        int metrics = classRows.metrics().size();
        for (Map.Entry<Key, List<ResultRow>> e : groups.entrySet()) {
            double[] mean = new double[metrics];
            double[] stderr = new double[metrics];
            int[] count = new int[metrics];
            for (int m = 0; m < metrics; m++) {
                Stats s = stats(e.getValue(), m);
                mean[m] = s.mean;
                stderr[m] = s.stderr;
                count[m] = s.count;
            }
            out.add(new Group(e.getKey(), mean, stderr, count));
        }
        return out;
    }

    private record Stats(double mean, double stderr, int count) {}

    /** Mean and sd(ddof 1)/√n over the non-NaN values of metric {@code m}; NaN where undefined. */
    private static Stats stats(List<ResultRow> rows, int m) {
        int n = 0;
        double sum = 0;
        for (ResultRow row : rows) {
            double v = row.values()[m];
            if (Double.isNaN(v)) continue;
            n++;
            sum += v;
        }
        if (n == 0) return new Stats(Double.NaN, Double.NaN, 0);
        double mean = sum / n;
        double squares = 0;
        for (ResultRow row : rows) {
            double v = row.values()[m];
            if (!Double.isNaN(v)) squares += (v - mean) * (v - mean);
        }
        double stderr = n < 2 ? Double.NaN : Math.sqrt(squares / (n - 1)) / Math.sqrt(n);
        return new Stats(mean, stderr, n);
    }
}
