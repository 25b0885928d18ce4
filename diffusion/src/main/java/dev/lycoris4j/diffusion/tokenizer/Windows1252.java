package dev.lycoris4j.diffusion.tokenizer;

/**
 * ftfy's "sloppy" Windows-1252: Latin-1 except bytes 0x80..0x9F, which take their Windows-1252 characters, and the
 * five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), which keep their C1 control characters;
 * byte 0x1A stands for U+FFFD. The same 32 characters are what Python's {@code html.unescape} substitutes for
 * numeric references to 0x80..0x9F.
 */
final class Windows1252 {
    private static final char[] C1_RANGE = {
            '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
            '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
            '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
            '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178'};
    private static final int SUBSTITUTE = 0x1A;

    private Windows1252() {}

    /** The character of byte 0x80..0x9F. */
    static char decodeC1(int unsignedByte) {
        return C1_RANGE[unsignedByte - 0x80];
    }

    /** The byte of a character in sloppy Windows-1252, or -1 when the character has none. */
    static int encode(char c) {
        if (c == '\uFFFD') return SUBSTITUTE;
        if (c == SUBSTITUTE) return -1; // the byte is taken by U+FFFD
        if (c < 0x80 || (c >= 0xA0 && c <= 0xFF)) return c;
        for (int i = 0; i < C1_RANGE.length; i++) {
            if (C1_RANGE[i] == c) return 0x80 + i;
        }
        return -1;
    }

    /** ftfy's {@code fix_c1_controls}: C1 control characters read as the Windows-1252 bytes they probably were. */
    static String decodeC1Controls(String text) {
        char[] chars = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                if (chars == null) chars = text.toCharArray();
                chars[i] = decodeC1(c);
            }
        }
        return chars == null ? text : new String(chars);
    }
}
