package dev.lycoris4j.diffusion.tokenizer;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two HTML unescapers of the references: Python's {@code html.unescape} (open_clip applies it twice after ftfy)
 * and ftfy's stricter {@code unescape_html} (only complete references ending in ';', plus upper-cased names such as
 * {@code &NTILDE;}). Both use the full HTML5 named-reference table, loaded from {@value #RESOURCE}.
 */
final class HtmlEntities {
    private static final String RESOURCE = "html5-entities.tsv";
    private static final char REPLACEMENT = '\uFFFD';
    // The patterns come before the tables: building the ftfy table runs pythonUnescape.
    private static final Pattern PYTHON_CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    /** {@code html.entities.html5}: name, with ';' or one of the legacy names without it, → replacement text. */
    private static final Map<String, String> HTML5 = load();
    /** ftfy's {@code HTML_ENTITIES}: the complete reference text ("&amp;") → replacement. */
    private static final Map<String, String> FTFY_ENTITIES = buildFtfyEntities();

    private HtmlEntities() {}

    /** Python's {@code html.unescape}: HTML5 rules for named and numeric references, valid or not. */
    static String pythonUnescape(String s) {
        if (s.indexOf('&') < 0) return s;
        return PYTHON_CHARREF.matcher(s).replaceAll(m -> Matcher.quoteReplacement(replaceCharref(m.group(1))));
    }

    /** ftfy's {@code unescape_html}: a numeric reference is decoded only if decoding consumes its ';'. */
    static String ftfyUnescape(String s) {
        if (s.indexOf('&') < 0) return s;
        return FTFY_ENTITY.matcher(s).replaceAll(m -> Matcher.quoteReplacement(ftfyReplacement(m.group())));
    }

    private static String ftfyReplacement(String reference) {
        String named = FTFY_ENTITIES.get(reference);
        if (named != null) return named;
        if (!reference.startsWith("&#")) return reference;
        String unescaped = pythonUnescape(reference);
        return unescaped.indexOf(';') >= 0 ? reference : unescaped;
    }

    /** {@code _replace_charref}; {@code ref} is the reference without its '&'. */
    private static String replaceCharref(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            int end = ref.endsWith(";") ? ref.length() - 1 : ref.length();
            return numericReplacement(parseSaturated(ref, hex ? 2 : 1, end, hex ? 16 : 10));
        }
        String value = HTML5.get(ref);
        if (value != null) return value;
        // The longest prefix (of at least two characters) that is a name, as the HTML5 standard defines.
        for (int length = ref.length() - 1; length > 1; length--) {
            value = HTML5.get(ref.substring(0, length));
            if (value != null) return value + ref.substring(length);
        }
        return "&" + ref;
    }

    /** The number, or {@code Integer.MAX_VALUE} once it exceeds the code point range (Python's ints never overflow). */
    private static int parseSaturated(String s, int begin, int end, int radix) {
        long value = 0;
        for (int i = begin; i < end; i++) {
            value = value * radix + Character.digit(s.charAt(i), radix);
            if (value > Character.MAX_CODE_POINT) return Integer.MAX_VALUE;
        }
        return (int) value;
    }

    private static String numericReplacement(int cp) {
        if (cp == 0) return String.valueOf(REPLACEMENT);
        if (cp == 0x0D) return "\r";
        if (cp >= 0x80 && cp <= 0x9F) return String.valueOf(Windows1252.decodeC1(cp));
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > Character.MAX_CODE_POINT) return String.valueOf(REPLACEMENT);
        if (isDisallowedCodePoint(cp)) return "";
        return Character.toString(cp);
    }

    /** Python's {@code _invalid_codepoints} outside the ranges {@link #numericReplacement} handles before it. */
    private static boolean isDisallowedCodePoint(int cp) {
        return (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    private static Map<String, String> buildFtfyEntities() {
        Map<String, String> entities = new HashMap<>();
        for (Map.Entry<String, String> e : HTML5.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) continue;
            entities.put("&" + name, e.getValue());
            // Upper-cased references of all-lower-case names are decoded too (to upper case), unless the
            // upper-cased text already means something to html.unescape.
            if (name.equals(name.toLowerCase(Locale.ROOT))) {
                String upper = "&" + name.toUpperCase(Locale.ROOT);
                if (pythonUnescape(upper).equals(upper)) entities.put(upper, e.getValue().toUpperCase(Locale.ROOT));
            }
        }
        return entities;
    }

    private static Map<String, String> load() {
        Map<String, String> table = new HashMap<>(4096);
        for (String line : TokenizerResources.dataLines(RESOURCE)) {
            int tab = line.indexOf('\t');
            StringBuilder value = new StringBuilder();
            for (String hex : line.substring(tab + 1).split(" ")) value.appendCodePoint(Integer.parseInt(hex, 16));
            table.put(line.substring(0, tab), value.toString());
        }
        return table;
    }
}
