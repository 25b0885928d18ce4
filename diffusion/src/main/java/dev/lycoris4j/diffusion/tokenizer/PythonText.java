package dev.lycoris4j.diffusion.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python string semantics the references rely on. Python's whitespace ({@code str.isspace}, used by
 * {@code str.split()}/{@code strip()}) differs from Java's {@link Character#isWhitespace}: it includes U+0085 and
 * the no-break spaces, and the information separators U+001C..U+001F, which the {@code regex} module's {@code \s}
 * in turn excludes.
 */
final class PythonText {
    private static final char CAPITAL_SIGMA = '\u03A3';

    private PythonText() {}

    /** {@code str.isspace()} for one code point: bidirectional class WS, B or S, or category Zs. */
    static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** {@code str.split()} with no argument: the non-empty runs between whitespace. */
    static List<String> splitOnWhitespace(String s) {
        List<String> parts = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                if (start >= 0) parts.add(s.substring(start, i));
                start = -1;
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) parts.add(s.substring(start));
        return parts;
    }

    /** {@code str.strip()}: removes leading and trailing Python whitespace. */
    static String strip(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end && isSpace(s.codePointAt(begin))) begin += Character.charCount(s.codePointAt(begin));
        while (end > begin && isSpace(s.codePointBefore(end))) end -= Character.charCount(s.codePointBefore(end));
        return s.substring(begin, end);
    }

    /**
     * CLIP's {@code whitespace_clean}, {@code regex.sub(r"\s+", " ", text).strip()}: both references import the
     * {@code regex} module as {@code re}, whose {@code \s} is Unicode White_Space (no U+001C..U+001F), while
     * {@code strip()} removes Python whitespace.
     */
    static String whitespaceClean(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean inRun = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean whiteSpace = isSpace(cp) && !(cp >= 0x1C && cp <= 0x1F);
            if (!whiteSpace) out.appendCodePoint(cp);
            else if (!inRun) out.append(' ');
            inRun = whiteSpace;
        }
        return strip(out.toString());
    }

    /**
     * {@code str.lower()}: the full lower-case mapping, with capital sigma decided by Unicode's Final_Sigma rule the
     * way CPython applies it: final (ς) when a cased letter precedes and none follows, skipping case-ignorable
     * characters on both sides. Java's own rule looks for cased letters anywhere within the word instead, which
     * differs for text such as "ΟΔΟΣ3d".
     */
    static String lower(String s) {
        int sigma = s.indexOf(CAPITAL_SIGMA);
        if (sigma < 0) return s.toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(s.length());
        int start = 0;
        for (; sigma >= 0; sigma = s.indexOf(CAPITAL_SIGMA, start)) {
            out.append(s.substring(start, sigma).toLowerCase(Locale.ROOT));
            out.append(isFinalSigma(s, sigma) ? '\u03C2' : '\u03C3');
            start = sigma + 1;
        }
        return out.append(s.substring(start).toLowerCase(Locale.ROOT)).toString();
    }

    private static boolean isFinalSigma(String s, int index) {
        int before = index;
        int cp = 0;
        while (before > 0) {
            cp = s.codePointBefore(before);
            if (!isCaseIgnorable(cp)) break;
            before -= Character.charCount(cp);
        }
        if (before == 0 || !isCased(cp)) return false;
        for (int after = index + 1; after < s.length(); after += Character.charCount(cp)) {
            cp = s.codePointAt(after);
            if (!isCaseIgnorable(cp)) return !isCased(cp);
        }
        return true;
    }

    /** Unicode's Cased property: Lowercase, Uppercase (both including their "Other_" parts) or titlecase. */
    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /** Unicode's Case_Ignorable: categories Mn, Me, Cf, Lm, Sk and the word-break classes MidLetter, MidNumLet and Single_Quote. */
    private static boolean isCaseIgnorable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.MODIFIER_LETTER,
                 Character.MODIFIER_SYMBOL -> true;
            default -> switch (cp) {
                case '\'', '.', ':', 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55,
                     0xFF07, 0xFF0E, 0xFF1A -> true;
                default -> false;
            };
        };
    }
}
