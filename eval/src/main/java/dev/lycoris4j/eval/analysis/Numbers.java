package dev.lycoris4j.eval.analysis;

import java.math.BigDecimal;
import java.util.Locale;

/** Short, locale-independent renderings of numbers for names, tables and CSV cells. */
final class Numbers {
    private Numbers() {}

    /** {@code 8}, {@code 0.0005}, {@code 5e-07}: integers without a fraction, tiny values in exponent form. */
    static String compact(double value) {
        if (Double.isNaN(value)) return "";
        if (value == Math.rint(value) && Math.abs(value) < 1e15) return Long.toString((long) value);
        if (Math.abs(value) < 1e-4) return String.format(Locale.ROOT, "%.6g", value).replaceAll("\\.?0+e", "e");
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** A CSV cell that round-trips the double exactly (empty for NaN, as pandas writes it). */
    static String csv(double value) {
        return Double.isNaN(value) ? "" : Double.toString(value);
    }

    /** {@code digits} decimals, NaN as "nan" (what the reference's tables print). */
    static String fixed(double value, int digits) {
        return Double.isNaN(value) ? "nan" : String.format(Locale.ROOT, "%." + digits + "f", value);
    }
}
