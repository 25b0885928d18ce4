package dev.lycoris4j.diffusion.tokenizer;

import dev.lycoris4j.diffusion.tokenizer.ClipTokenizerConfig.TextCleaning;

import java.text.Normalizer;

/** The three prompt normalisations of {@link TextCleaning}; each returns lower-case text with single spaces. */
final class PromptCleaning {
    private PromptCleaning() {}

    static String clean(TextCleaning cleaning, String text) {
        String cleaned = switch (cleaning) {
            case HF_FTFY -> PythonText.whitespaceClean(Ftfy.fixText(text));
            // BasicTokenizer splits on whitespace; CLIPTokenizer joins the words with single spaces.
            case HF_BASIC -> String.join(" ", PythonText.splitOnWhitespace(basicTokenizerClean(text)));
            // open_clip's basic_clean also strips, which whitespaceClean does anyway.
            case OPEN_CLIP -> PythonText.whitespaceClean(
                    HtmlEntities.pythonUnescape(HtmlEntities.pythonUnescape(Ftfy.fixText(text))));
        };
        return PythonText.lower(cleaned);
    }

    /**
     * transformers' {@code BasicTokenizer(strip_accents=False, do_split_on_punc=False)} up to its whitespace split:
     * drops NUL, U+FFFD and every "C*" category character except tab/LF/CR, turns those and "Zs" into spaces, puts
     * spaces around CJK ideographs, then NFC.
     */
    private static String basicTokenizerClean(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isOtherCategory(cp)) continue;
            if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR) {
                out.append(' ');
            } else if (isCjkIdeograph(cp)) {
                out.append(' ').appendCodePoint(cp).append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        }
        return Normalizer.normalize(out, Normalizer.Form.NFC);
    }

    /** {@code unicodedata.category(c).startswith("C")}, tab/LF/CR excepted (BasicTokenizer's {@code _is_control}). */
    private static boolean isOtherCategory(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') return false;
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }

    /** The CJK Unified/Compatibility Ideograph blocks of BasicTokenizer's {@code _is_chinese_char}. */
    private static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
