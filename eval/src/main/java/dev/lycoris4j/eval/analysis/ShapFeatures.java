package dev.lycoris4j.eval.analysis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The reference's SHAP features ({@code shap_analysis.py}), in its column order: Algo, Preset, Step,
 * Capacity, Lr Level; Lr, Dim, Alpha and Factor only serve to derive the last two.
 *
 * <p>Algo and Preset are encoded as ordinal codes, not one-hot: lora, loha, lokr, full = 0..3 and
 * attn-only, attn-mlp, full = 0..2 (the reference's plotting order, so the beeswarm colours mean the
 * same), any other value after these in alphabetical order. One column per feature keeps one SHAP value
 * per feature without summing dummies, and a depth-6 tree separates any subset of four codes with at
 * most three threshold splits, so the ordinal code costs no expressiveness.
 */
public final class ShapFeatures {
    private ShapFeatures() {}

    public static final List<String> NAMES = List.of("Algo", "Preset", "Step", "Capacity", "Lr Level");
    /** The paper's beeswarm row labels. */
    public static final List<String> LABELS = List.of("Algorithm", "Trained Layers", "Epoch", "Capacity", "Lr Level");
    public static final int ALGO = 0;
    public static final int PRESET = 1;
    public static final int STEP = 2;
    public static final int CAPACITY = 3;
    public static final int LR_LEVEL = 4;

    public static final List<String> ALGO_ORDER = List.of("lora", "loha", "lokr", Config.FULL);
    public static final List<String> PRESET_ORDER = List.of("attn-only", "attn-mlp", "full");

    private static final double[] LRS = {1e-4, 5e-4, 1e-3};
    private static final double[] FULL_LRS = {5e-7, 1e-6, 5e-6};

    /**
     * Capacity: full fine-tuning 4; LoKr factor 12 / 8 / 4 → 1 / 2 / 3; LoHa dim 4 / 16 → 2 / 3; LoRA dim
     * 8 / 32 → 2 / 3. NaN (a missing value to the regressor) for any other configuration, where the
     * reference would fail.
     */
    public static double capacity(Config c) {
        return switch (c.algo()) {
            case Config.FULL -> 4;
            case "lokr" -> c.factor() == 12 ? 1 : c.factor() == 8 ? 2 : c.factor() == 4 ? 3 : Double.NaN;
            case "loha" -> c.dim() == 4 ? 2 : c.dim() == 16 ? 3 : Double.NaN;
            case "lora" -> c.dim() == 8 ? 2 : c.dim() == 32 ? 3 : Double.NaN;
            default -> Double.NaN;
        };
    }

    /** 1 + the index of the lr in [1e-4, 5e-4, 1e-3] (full fine-tuning: [5e-7, 1e-6, 5e-6]); NaN otherwise. */
    public static double lrLevel(Config c) {
        double[] levels = c.isFullFineTuning() ? FULL_LRS : LRS;
        for (int i = 0; i < levels.length; i++) {
            if (c.lr() == levels[i]) return i + 1;
        }
        return Double.NaN;
    }

    /** The code order of a categorical feature: the reference's values first, then the others sorted. */
    public static List<String> codes(List<String> reference, Collection<String> present) {
        List<String> out = new ArrayList<>(reference);
        for (String value : new TreeSet<>(present)) {
            if (!out.contains(value)) out.add(value);
        }
        return out;
    }

    /** The feature vector of a configuration at a step, in {@link #NAMES} order. */
    public static double[] of(Config c, int step, List<String> algoCodes, List<String> presetCodes) {
        return new double[] {algoCodes.indexOf(c.algo()), presetCodes.indexOf(c.preset()), step, capacity(c), lrLevel(c)};
    }
}
