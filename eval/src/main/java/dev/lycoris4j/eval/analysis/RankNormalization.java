package dev.lycoris4j.eval.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference's {@code compute_scaled_ranks}: within each leaf concept (category, class, sub-class),
 * over every row of every configuration, seed, step and weight, a score metric becomes
 * (ascending rank − 1) / (n − 1) and a distance metric (descending rank − 1) / (n − 1), so 1 is best and
 * 0 worst for both. Ties share their average rank. NaN stays NaN but still counts in n (quirk 9 of the
 * reference, kept so that results match it). A concept with a single row gets 0/0 = NaN, as in pandas;
 * a table where every concept has a single row cannot be ranked at all and is refused.
 */
public final class RankNormalization {
    private RankNormalization() {}

    public static ResultTable apply(ResultTable table) {
        Map<Concept, List<Integer>> groups = new LinkedHashMap<>();
        for (int r = 0; r < table.rows().size(); r++) {
            groups.computeIfAbsent(table.rows().get(r).concept(), c -> new ArrayList<>()).add(r);
        }
        if (!table.rows().isEmpty() && groups.values().stream().allMatch(g -> g.size() < 2)) {
            throw new IllegalArgumentException("cannot rank-normalise: every concept has a single row, so ranks "
                    + "within a concept are undefined (n = 1); analyse raw values instead");
        }
        double[][] values = new double[table.rows().size()][];
        for (int r = 0; r < values.length; r++) values[r] = table.rows().get(r).values().clone();
        for (int m = 0; m < table.metrics().size(); m++) {
            MetricKey.Kind kind = table.metrics().get(m).kind();
            if (kind == MetricKey.Kind.RAW) continue;
            for (List<Integer> group : groups.values()) {
                double[] column = new double[group.size()];
                for (int i = 0; i < column.length; i++) column[i] = values[group.get(i)][m];
                double[] scaled = scaledRanks(column, kind == MetricKey.Kind.DISTANCE);
                for (int i = 0; i < column.length; i++) values[group.get(i)][m] = scaled[i];
            }
        }
        List<ResultRow> rows = new ArrayList<>(values.length);
        for (int r = 0; r < values.length; r++) rows.add(table.rows().get(r).withValues(values[r]));
        return table.withRows(rows);
    }

    /**
     * pandas' {@code (s.rank(method='average', ascending=!descending) - 1) / (len(s) - 1)}: ranks among the
     * non-NaN values, NaN kept, n = all values including NaN.
     */
    public static double[] scaledRanks(double[] values, boolean descending) {
        int n = values.length;
        Integer[] order = new Integer[n];
        int present = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(values[i])) order[present++] = i;
        }
        Integer[] sorted = Arrays.copyOf(order, present);
        Arrays.sort(sorted, (a, b) -> descending ? Double.compare(values[b], values[a]) : Double.compare(values[a], values[b]));
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        int start = 0;
        while (start < present) {
            int end = start + 1;
            while (end < present && values[sorted[end]] == values[sorted[start]]) end++;
            // Positions start..end-1 hold ranks start+1..end: their average.
            double rank = (start + 1 + end) / 2.0;
            for (int k = start; k < end; k++) out[sorted[k]] = (rank - 1) / (n - 1);
            start = end;
        }
        return out;
    }
}
