package dev.lycoris4j.train.estimate;

import java.math.BigInteger;

/**
 * File sizes as GNU {@code ls -h} prints them (gnulib {@code human_readable} with autoscale, base 1024 and
 * rounding up): below 1024 the byte count; else the largest power of 1024 not above the size, then one
 * decimal when the value is below 10 ("4.4M", "1.8G") and none otherwise ("20M"), always rounded up; a value
 * that rounds up to 1024 moves to the next unit ("1.0G"). The LyCORIS paper's Table 5 sizes are such values.
 */
public final class HumanSize {
    private HumanSize() {}

    private static final String UNITS = "KMGTPEZY";
    private static final BigInteger BASE = BigInteger.valueOf(1024);

    /** {@code bytes} in MiB (2^20 bytes). */
    public static double mebibytes(long bytes) {
        return bytes / (double) (1 << 20);
    }

    public static String ls(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative size " + bytes);
        if (bytes < 1024) return Long.toString(bytes);
        BigInteger n = BigInteger.valueOf(bytes);
        int exponent = 0;
        BigInteger unit = BigInteger.ONE;
        while (exponent < UNITS.length() && n.compareTo(unit.multiply(BASE)) >= 0) {
            unit = unit.multiply(BASE);
            exponent++;
        }
        if (n.compareTo(unit.multiply(BigInteger.TEN)) < 0) {
            long tenths = ceilDiv(n.multiply(BigInteger.TEN), unit);
            if (tenths < 100) return tenths / 10 + "." + tenths % 10 + UNITS.charAt(exponent - 1);
            return "10" + UNITS.charAt(exponent - 1);
        }
        long whole = ceilDiv(n, unit);
        if (whole == 1024 && exponent < UNITS.length()) return "1.0" + UNITS.charAt(exponent);
        return whole + String.valueOf(UNITS.charAt(exponent - 1));
    }

    private static long ceilDiv(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
    }
}
