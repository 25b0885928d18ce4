package dev.lycoris4j.diffusion.tokenizer;

import java.text.Normalizer;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * ftfy 6.3's {@code fix_text} with its default configuration, as both references run it on prompts: per-line
 * segments with the sticky "no HTML unescaping once a line contains '<'" rule, each fixed until nothing changes by
 * {@code unescape_html}, {@code fix_encoding} ({@link Mojibake}, which lists what it does not cover),
 * {@code fix_c1_controls}, {@code fix_latin_ligatures}, {@code fix_character_width}, {@code uncurl_quotes},
 * {@code fix_line_breaks}, {@code fix_surrogates}, {@code remove_terminal_escapes}, {@code remove_control_chars} and
 * NFC. Not covered besides: lines longer than ftfy's {@code max_decode_length} (one million code points) are not cut
 * into separate segments.
 */
final class Ftfy {
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B\\[(?:\\p{Nd}|;)*[a-zA-Z]");
    private static final int WIDTH_FIRST = 0xFF01;
    private static final int WIDTH_END = 0xFFF0;
    /** NFKC of each half-width/full-width form U+FF01..U+FFEF where it differs (ftfy's WIDTH_MAP), else null. */
    private static final String[] WIDTH_FORMS = new String[WIDTH_END - WIDTH_FIRST];

    static {
        for (int cp = WIDTH_FIRST; cp < WIDTH_END; cp++) {
            String form = Character.toString(cp);
            String compatible = Normalizer.normalize(form, Normalizer.Form.NFKC);
            if (!compatible.equals(form)) WIDTH_FORMS[cp - WIDTH_FIRST] = compatible;
        }
    }

    private Ftfy() {}

    static String fixText(String text) {
        if (isPlainAscii(text) && text.indexOf('&') < 0) return text; // every fix is the identity on such text
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        for (int pos = 0; pos < text.length(); ) {
            int newline = text.indexOf('\n', pos);
            int end = newline < 0 ? text.length() : newline + 1;
            String segment = text.substring(pos, end);
            // A literal '<' suggests the text is HTML whose entities are meant literally. As in ftfy, the decision
            // sticks for all later lines.
            if (segment.indexOf('<') >= 0) unescapeHtml = false;
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String original = text;
            if (unescapeHtml) text = HtmlEntities.ftfyUnescape(text);
            text = Mojibake.fixEncoding(text);
            text = Windows1252.decodeC1Controls(text);
            text = translate(text, Ftfy::latinLigature);
            text = translate(text, Ftfy::widthForm);
            text = translate(text, Ftfy::uncurledQuote);
            text = fixLineBreaks(text);
            text = translate(text, cp -> cp >= 0xD800 && cp <= 0xDFFF ? "\uFFFD" : null); // only unpaired ones
            if (text.indexOf('\u001B') >= 0) text = TERMINAL_ESCAPE.matcher(text).replaceAll("");
            text = translate(text, cp -> isRemovedControl(cp) ? "" : null);
            if (!Normalizer.isNormalized(text, Normalizer.Form.NFC)) text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(original)) return text;
        }
    }

    /** ftfy's LIGATURES: typographic Latin ligatures and the Serbo-Croatian/Dutch/Afrikaans digraph letters. */
    private static String latinLigature(int cp) {
        return switch (cp) {
            case 0x0132 -> "IJ";
            case 0x0133 -> "ij";
            case 0x0149 -> "\u02BCn";
            case 0x01F1 -> "DZ";
            case 0x01F2 -> "Dz";
            case 0x01F3 -> "dz";
            case 0x01C4 -> "D\u017D";
            case 0x01C5 -> "D\u017E";
            case 0x01C6 -> "d\u017E";
            case 0x01C7 -> "LJ";
            case 0x01C8 -> "Lj";
            case 0x01C9 -> "lj";
            case 0x01CA -> "NJ";
            case 0x01CB -> "Nj";
            case 0x01CC -> "nj";
            case 0xFB00 -> "ff";
            case 0xFB01 -> "fi";
            case 0xFB02 -> "fl";
            case 0xFB03 -> "ffi";
            case 0xFB04 -> "ffl";
            case 0xFB05 -> "\u017Ft";
            case 0xFB06 -> "st";
            default -> null;
        };
    }

    private static String widthForm(int cp) {
        if (cp == 0x3000) return " "; // ideographic space
        return cp >= WIDTH_FIRST && cp < WIDTH_END ? WIDTH_FORMS[cp - WIDTH_FIRST] : null;
    }

    private static String uncurledQuote(int cp) {
        if (cp == 0x02BC || (cp >= 0x2018 && cp <= 0x201B)) return "'";
        if (cp >= 0x201C && cp <= 0x201F) return "\"";
        return null;
    }

    private static String fixLineBreaks(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    /** ftfy's CONTROL_CHARS: C0 controls other than tab/LF/FF/CR, DEL, deprecated format chars, BOM, annotations. */
    private static boolean isRemovedControl(int cp) {
        return (cp >= 0x00 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC);
    }

    /** Applies a per-code-point replacement ({@code null}: keep the code point); returns {@code s} when nothing changes. */
    private static String translate(String s, IntFunction<String> replacement) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            String replaced = replacement.apply(cp);
            if (replaced != null && out == null) out = new StringBuilder(s.length()).append(s, 0, i);
            if (out != null) {
                if (replaced != null) out.append(replaced);
                else out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out == null ? s : out.toString();
    }

    private static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) return false;
        }
        return true;
    }
}
