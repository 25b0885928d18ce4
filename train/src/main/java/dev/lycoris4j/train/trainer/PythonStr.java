package dev.lycoris4j.train.trainer;

import java.math.BigDecimal;

/**
 * Python's {@code str()} of the values kohya puts in its metadata (every value is {@code str(v)} there), so files
 * read the same in tools written for kohya's output: {@code True}, {@code None}, {@code 0.0005}, {@code 1e-06}.
 */
final class PythonStr {
    private PythonStr() {}

    static String of(Object v) {
        return switch (v) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Double d -> ofDouble(d);
            case Float f -> ofDouble(f);
            default -> v.toString();
        };
    }

    /** repr(float): shortest round-trip digits, exponent form below 1e-4 and from 1e16 on, at least two exponent digits. */
    static String ofDouble(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return 1 / v < 0 ? "-0.0" : "0.0";
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent >= -4 && exponent < 16) {
            String plain = d.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = d.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String sign = exponent < 0 ? "-" : "+";
        String exp = Integer.toString(Math.abs(exponent));
        return (v < 0 ? "-" : "") + mantissa + "e" + sign + (exp.length() < 2 ? "0" + exp : exp);
    }
}
