package dev.lycoris4j.diffusion.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ftfy 6.3's {@code fix_encoding} (mojibake repair) for UTF-8 that was decoded as Latin-1 or Windows-1252, the
 * mix-ups that occur in English-language prompts. Ported: the badness heuristic ({@code is_bad}, ftfy's own
 * regular expression) that decides whether to try, re-encoding and decoding as UTF-8 with {@code restore_byte_a0}
 * and {@code replace_lossy_sequences}, {@code decode_inconsistent_utf8} for mojibake embedded in correct text (with
 * ftfy's own detector), and the final {@code fix_c1_controls}.
 *
 * <p>Not covered: the other single-byte encodings ftfy tries after those two (Windows-1250/1251/1253/1254/1257,
 * ISO-8859-2, MacRoman, CP437), so Cyrillic, Greek, Central European, Mac and DOS mojibake stays as it is; and
 * ftfy's {@code utf-8-variants} decoding of CESU-8 surrogate pairs and of C0 80 as NUL (such bytes make the UTF-8
 * decoding fail here, so the text is not repaired that way).
 */
final class Mojibake {
    private static final Pattern BADNESS = regexResource("ftfy-badness.regex");
    private static final Pattern UTF8_DETECTOR = regexResource("ftfy-utf8-detector.regex");
    /**
     * ftfy's ALTERED_UTF8_RE, over bytes shown as Latin-1 characters: UTF-8 sequences whose 0xA0 byte (a no-break
     * space in Latin-1) became a plain space.
     */
    private static final Pattern ALTERED_UTF8 = Pattern.compile("[\\xC2\\xC3\\xC5\\xCE\\xD0\\xD9] "
            + "|[\\xE2\\xE3] [\\x80-\\x84\\x86-\\x9F\\xA1-\\xBF]"
            + "|[\\xE0-\\xE3][\\x80-\\x84\\x86-\\x9F\\xA1-\\xBF] "
            + "|\\xF0 [\\x80-\\xBF][\\x80-\\xBF]"
            + "|\\xF0[\\x80-\\xBF] [\\x80-\\xBF]"
            + "|\\xF0[\\x80-\\xBF][\\x80-\\xBF] ");
    /**
     * ftfy's A_GRAVE_WORD_RE: "Ã" then a space is most often "à" followed by a space (French, Portuguese) whose
     * 0xA0 byte was lost, so a space is kept after the restored byte.
     */
    private static final Pattern A_GRAVE_WORD = Pattern.compile("\\xC3 (?! |quele|quela|quilo|s )");
    /**
     * ftfy's LOSSY_UTF8_RE, over bytes shown as Latin-1 characters: UTF-8 sequences in which a byte was lost to
     * '?' or to 0x1A (the sloppy encodings' stand-in for U+FFFD); each becomes one U+FFFD.
     */
    private static final Pattern LOSSY_UTF8 = Pattern.compile("[\\xC2-\\xDF]\\x1A"
            + "|[\\xC2-\\xC3]\\?"
            + "|\\xED[\\xA0-\\xAF][\\x1A?]\\xED[\\xB0-\\xBF][\\x1A?\\x80-\\xBF]"
            + "|\\xED[\\xA0-\\xAF][\\x1A?\\x80-\\xBF]\\xED[\\xB0-\\xBF][\\x1A?]"
            + "|[\\xE0-\\xEF][\\x1A?][\\x1A\\x80-\\xBF]"
            + "|[\\xE0-\\xEF][\\x1A\\x80-\\xBF][\\x1A?]"
            + "|[\\xF0-\\xF4][\\x1A?][\\x1A\\x80-\\xBF][\\x1A\\x80-\\xBF]"
            + "|[\\xF0-\\xF4][\\x1A\\x80-\\xBF][\\x1A?][\\x1A\\x80-\\xBF]"
            + "|[\\xF0-\\xF4][\\x1A\\x80-\\xBF][\\x1A\\x80-\\xBF][\\x1A?]"
            + "|\\x1A");
    /** U+FFFD in UTF-8, as Latin-1 characters. */
    private static final String UTF8_REPLACEMENT_CHARACTER = "\u00EF\u00BF\u00BD";

    private Mojibake() {}

    /** ftfy's {@code is_bad}: does the text contain a sequence that is much likelier mojibake than intended? */
    static boolean isBad(String text) {
        return BADNESS.matcher(text).find();
    }

    /** ftfy's {@code fix_encoding}: repair steps until one changes nothing. */
    static String fixEncoding(String text) {
        while (true) {
            String fixed = fixOneStep(text);
            if (fixed.equals(text)) return text;
            text = fixed;
        }
    }

    private static String fixOneStep(String text) {
        if (isAscii(text) || !isBad(text)) return text;
        for (boolean sloppyWindows1252 : new boolean[] {false, true}) { // ftfy's order: latin-1 first
            byte[] bytes = encodeSingleByte(text, sloppyWindows1252);
            if (bytes == null) continue;
            String latin1View = new String(bytes, StandardCharsets.ISO_8859_1);
            if (ALTERED_UTF8.matcher(latin1View).find()) { // restore_byte_a0
                latin1View = A_GRAVE_WORD.matcher(latin1View).replaceAll("\u00C3\u00A0 ");
                latin1View = ALTERED_UTF8.matcher(latin1View).replaceAll(m -> m.group().replace(' ', '\u00A0'));
            }
            if (sloppyWindows1252) {
                latin1View = LOSSY_UTF8.matcher(latin1View).replaceAll(UTF8_REPLACEMENT_CHARACTER);
            }
            String decoded = decodeUtf8(latin1View.getBytes(StandardCharsets.ISO_8859_1));
            if (decoded != null) return decoded;
        }
        if (UTF8_DETECTOR.matcher(text).find()) {
            String fixed = decodeInconsistentUtf8(text);
            if (!fixed.equals(text)) return fixed;
        }
        // ftfy's two last resorts, Latin-1 re-read as Windows-1252 and then fix_c1_controls, both come down to this.
        return Windows1252.decodeC1Controls(text);
    }

    /** Repairs each embedded run that looks like UTF-8 bytes and is itself bad. */
    private static String decodeInconsistentUtf8(String text) {
        return UTF8_DETECTOR.matcher(text).replaceAll(m -> {
            String run = m.group();
            // A run strictly shorter than the text cannot lead back here with the same text.
            boolean repair = run.length() < text.length() && isBad(run);
            return Matcher.quoteReplacement(repair ? fixEncoding(run) : run);
        });
    }

    /** Latin-1 or sloppy Windows-1252 bytes of the text, or null when a character has no byte there. */
    private static byte[] encodeSingleByte(String text, boolean sloppyWindows1252) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = text.charAt(i);
            int b = sloppyWindows1252 ? Windows1252.encode(c) : (c <= 0xFF ? c : -1);
            if (b < 0) return null;
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    private static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }

    private static Pattern regexResource(String name) {
        return Pattern.compile(String.join("", TokenizerResources.dataLines(name)));
    }
}
