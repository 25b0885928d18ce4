package dev.lycoris4j.eval.analysis;

import java.awt.Color;

/**
 * The colour maps of the reference's figures: matplotlib's {@code coolwarm} (correlation heatmap), SHAP's
 * {@code red_blue} (beeswarm feature values) and seaborn's {@code husl} palette (one colour per algorithm).
 */
final class Colormaps {
    private Colormaps() {}

    /**
     * Moreland's CoolWarmFloat33 table ("Diverging Color Maps for Scientific Visualization"), which
     * matplotlib's coolwarm interpolates linearly: 33 RGB triples at t = 0, 1/32, ..., 1.
     */
    private static final double[][] COOLWARM = {
            {0.2298057, 0.298717966, 0.753683153}, {0.26623388, 0.353094838, 0.801466763},
            {0.30386891, 0.406535296, 0.84495867}, {0.342804478, 0.458757618, 0.883725899},
            {0.38301334, 0.50941904, 0.917387822}, {0.424369608, 0.558148092, 0.945619588},
            {0.46666708, 0.604562568, 0.968154911}, {0.509635204, 0.648280772, 0.98478814},
            {0.552953156, 0.688929332, 0.995375608}, {0.596262162, 0.726149107, 0.999836203},
            {0.639176211, 0.759599947, 0.998151185}, {0.681291281, 0.788964712, 0.990363227},
            {0.722193294, 0.813952739, 0.976574709}, {0.761464949, 0.834302879, 0.956945269},
            {0.798691636, 0.849786142, 0.931688648}, {0.833466556, 0.860207984, 0.901068838},
            {0.865395197, 0.86541021, 0.865395561}, {0.897787179, 0.848937047, 0.820880546},
            {0.924127593, 0.827384882, 0.774508472}, {0.944468518, 0.800927443, 0.726736146},
            {0.958852946, 0.769767752, 0.678007945}, {0.96732803, 0.734132809, 0.628751763},
            {0.969954137, 0.694266682, 0.579375448}, {0.966811177, 0.650421156, 0.530263762},
            {0.958003065, 0.602842431, 0.481775914}, {0.943660866, 0.551750968, 0.434243684},
            {0.923944917, 0.49730856, 0.387970225}, {0.89904617, 0.439559467, 0.343229596},
            {0.869186849, 0.378313092, 0.300267182}, {0.834620542, 0.312874446, 0.259301199},
            {0.795631745, 0.24128379, 0.220525627}, {0.752534934, 0.157246067, 0.184115123},
            {0.705673158, 0.01555616, 0.150232812}};

    /** SHAP's red_blue: 100 LCh samples from blue (54, 70, 4.6588) through L 40 to red (54, 90, 0.3547 + 2π). */
    private static final double[][] RED_BLUE = shapRedBlue();

    /** seaborn husl_palette(4) (lora, loha, lokr, full), then the other colours of husl_palette(8). */
    private static final Color[] HUSL = {
            rgb(0.9677975592919913, 0.44127456009157356, 0.5358103155058701),
            rgb(0.5920891529639701, 0.6418467016378244, 0.1935069134991043),
            rgb(0.21044753832183283, 0.6773105080456748, 0.6433941168468681),
            rgb(0.6423044349219739, 0.5497680051256467, 0.9582651433656727),
            rgb(0.8087954113106306, 0.5634700050056693, 0.19502642696727285),
            rgb(0.19783576093349015, 0.6955516966063037, 0.3995301037444499),
            rgb(0.22335772267769388, 0.6565792317435265, 0.8171355503265633)};

    /** Beeswarm colour of a missing feature value (shap's grey for NaN). */
    static final Color MISSING = new Color(0x77, 0x77, 0x77);

    /** coolwarm at t in [0, 1] (clamped). */
    static Color coolwarm(double t) {
        return interpolate(COOLWARM, t);
    }

    /** SHAP's blue (low) → red (high) at t in [0, 1] (clamped). */
    static Color redBlue(double t) {
        return interpolate(RED_BLUE, t);
    }

    /** The colour of the {@code index}-th category (cycles after seven). */
    static Color category(int index) {
        return HUSL[Math.floorMod(index, HUSL.length)];
    }

    private static Color interpolate(double[][] table, double t) {
        double x = Math.clamp(t, 0.0, 1.0) * (table.length - 1);
        int i = Math.min((int) x, table.length - 2);
        double f = x - i;
        double[] a = table[i];
        double[] b = table[i + 1];
        return rgb(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]));
    }

    private static Color rgb(double r, double g, double b) {
        return new Color((float) r, (float) g, (float) b);
    }

    private static double[][] shapRedBlue() {
        double[] blue = {54, 70, 4.6588};
        double[] red = {54, 90, 0.35470565 + 2 * Math.PI};
        double midLightness = 40;
        int steps = 100;
        int half = steps / 2;
        double[][] out = new double[steps][];
        for (int i = 0; i < steps; i++) {
            // np.linspace(blue L, 40, 50) then np.linspace(40, red L, 50); chroma and hue linear over all 100.
            double l = i < half ? blue[0] + (midLightness - blue[0]) * i / (half - 1)
                    : midLightness + (red[0] - midLightness) * (i - half) / (half - 1);
            double c = blue[1] + (red[1] - blue[1]) * i / (steps - 1);
            double h = blue[2] + (red[2] - blue[2]) * i / (steps - 1);
            out[i] = lchToSrgb(l, c, h);
        }
        return out;
    }

    /** scikit-image's lch2lab → lab2rgb (D65, 2° observer), which SHAP's colour code copies. */
    private static double[] lchToSrgb(double l, double c, double h) {
        double a = c * Math.cos(h);
        double b = c * Math.sin(h);
        double fy = (l + 16) / 116;
        double fx = a / 500 + fy;
        double fz = Math.max(fy - b / 200, 0);
        double x = labInverse(fx) * 0.95047;
        double y = labInverse(fy);
        double z = labInverse(fz) * 1.08883;
        double[] linear = {
                3.24048134 * x - 1.53715152 * y - 0.49853633 * z,
                -0.96925495 * x + 1.87599 * y + 0.04155593 * z,
                0.05564664 * x - 0.20404134 * y + 1.05731107 * z};
        double[] out = new double[3];
        for (int k = 0; k < 3; k++) {
            double v = linear[k];
            v = v > 0.0031308 ? 1.055 * Math.pow(v, 1 / 2.4) - 0.055 : 12.92 * v;
            out[k] = Math.clamp(v, 0.0, 1.0);
        }
        return out;
    }

    private static double labInverse(double f) {
        return f > 0.2068966 ? f * f * f : (f - 16.0 / 116) / 7.787;
    }
}
