package dev.lycoris4j.adapters.tools;

import java.util.Locale;

/**
 * How {@code extract} picks a module's rank from the singular values σ₁ ≥ σ₂ ≥ … of its weight change (spec
 * §5.1). Linear layers and 1×1 convs use {@code linearParam}, k×k convs {@code convParam}, as the reference's
 * extractor does. The rank is clamped to [1, min(out, in)].
 *
 * @param linearParam the mode's parameter for Linear layers and 1×1 convs (ignored in {@code full} mode)
 * @param convParam   the mode's parameter for k×k convs (ignored in {@code full} mode)
 */
public record RankRule(Mode mode, double linearParam, double convParam) {

    public enum Mode {
        /** The parameter is the rank. */
        FIXED,
        /** Rank = #{σ > parameter}. */
        THRESHOLD,
        /** Rank = #{σ > parameter·σ₁}. */
        RATIO,
        /** Rank = #{i : σ₁ + … + σᵢ < parameter·Σσ}. */
        QUANTILE,
        /** No decomposition: every changed module is stored whole. */
        FULL;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses the reference's mode names ({@code percentile} is its alias of {@code quantile}). */
        public static Mode parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "fixed" -> FIXED;
                case "threshold" -> THRESHOLD;
                case "ratio" -> RATIO;
                case "quantile", "percentile" -> QUANTILE;
                case "full" -> FULL;
                default -> throw new IllegalArgumentException(
                        "unknown mode '" + name + "': use fixed, threshold, ratio, quantile or full");
            };
        }
    }

    public RankRule {
        check(mode, "linear", linearParam);
        check(mode, "conv", convParam);
    }

    /** The {@code full} rule, which never decomposes. */
    public static RankRule full() {
        return new RankRule(Mode.FULL, 0, 0);
    }

    private static void check(Mode mode, String which, double p) {
        boolean ok = switch (mode) {
            case FIXED -> p >= 1 && p == Math.rint(p) && p <= Integer.MAX_VALUE;
            case THRESHOLD -> p >= 0 && Double.isFinite(p);
            case RATIO, QUANTILE -> p >= 0 && p <= 1;
            case FULL -> true;
        };
        if (!ok) {
            String expected = switch (mode) {
                case FIXED -> "a whole number ≥ 1";
                case THRESHOLD -> "a finite number ≥ 0";
                default -> "a number in [0, 1]";
            };
            throw new IllegalArgumentException(mode.id() + " mode: the " + which + " parameter must be " + expected
                    + ", got " + p);
        }
    }

    /**
     * @param sigma   the singular values, descending
     * @param kxkConv whether the layer is a conv with a kernel other than 1×1…
     * @param maxRank min(out, in) of the layer
     */
    public int rank(double[] sigma, boolean kxkConv, long maxRank) {
        if (mode == Mode.FULL) throw new IllegalStateException("full mode stores modules whole, it has no rank");
        double p = kxkConv ? convParam : linearParam;
        long r = switch (mode) {
            case FIXED -> (long) p;
            case THRESHOLD -> countAbove(sigma, p);
            case RATIO -> countAbove(sigma, p * (sigma.length == 0 ? 0 : sigma[0]));
            case QUANTILE -> quantileRank(sigma, p);
            case FULL -> throw new AssertionError();
        };
        return (int) Math.max(1, Math.min(r, maxRank));
    }

    private static long countAbove(double[] sigma, double bound) {
        long n = 0;
        for (double s : sigma) if (s > bound) n++;
        return n;
    }

    private static long quantileRank(double[] sigma, double q) {
        double total = 0;
        for (double s : sigma) total += s;
        double target = q * total;
        double cumulative = 0;
        long n = 0;
        for (double s : sigma) {
            cumulative += s;
            if (cumulative < target) n++;
        }
        return n;
    }
}
