package dev.lycoris4j.eval.analysis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The regression data of the reference's SHAP analysis: one row per configuration × seed × step (groups
 * of {@link Aggregation#aggregate} with seeds kept apart), features from {@link ShapFeatures}, target the
 * mean of one (rank-normalised) metric. Only weight-1 rows take part: a re-weighted checkpoint has the
 * same features as its full-weight one and would only add noise. Groups whose target is NaN are left out.
 */
public record ShapDataset(List<Aggregation.Key> keys, double[][] features, double[] target, boolean[] fullFineTuning,
                          List<String> algoCodes, List<String> presetCodes) {

    public static ShapDataset of(Map<String, Config> configs, List<Aggregation.Group> groups, int metric) {
        List<Aggregation.Group> used = new ArrayList<>();
        Set<String> algos = new HashSet<>();
        Set<String> presets = new HashSet<>();
        for (Aggregation.Group g : groups) {
            if (g.key().weight() != 1 || Double.isNaN(g.mean()[metric])) continue;
            used.add(g);
            Config c = configs.get(g.key().config());
            algos.add(c.algo());
            presets.add(c.preset());
        }
        List<String> algoCodes = ShapFeatures.codes(ShapFeatures.ALGO_ORDER, algos);
        List<String> presetCodes = ShapFeatures.codes(ShapFeatures.PRESET_ORDER, presets);
        List<Aggregation.Key> keys = new ArrayList<>(used.size());
        double[][] features = new double[used.size()][];
        double[] target = new double[used.size()];
        boolean[] full = new boolean[used.size()];
        for (int i = 0; i < used.size(); i++) {
            Aggregation.Group g = used.get(i);
            Config c = configs.get(g.key().config());
            keys.add(g.key());
            features[i] = ShapFeatures.of(c, g.key().step(), algoCodes, presetCodes);
            target[i] = g.mean()[metric];
            full[i] = c.isFullFineTuning();
        }
        return new ShapDataset(keys, features, target, full, algoCodes, presetCodes);
    }

    public int size() {
        return target.length;
    }
}
