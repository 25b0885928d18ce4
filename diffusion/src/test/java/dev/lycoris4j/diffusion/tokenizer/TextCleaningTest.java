package dev.lycoris4j.diffusion.tokenizer;

import dev.lycoris4j.diffusion.tokenizer.ClipTokenizerConfig.TextCleaning;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prompt cleaning beyond what the golden prompts exercise. Expected values are the examples of ftfy's own
 * documentation, the HTML5 standard's, or worked by hand from the reference rules (named in each test).
 */
class TextCleaningTest {
    @Test
    void ftfyDocumentationExamples() {
        assertThat(Ftfy.fixText("âœ” No problems")).isEqualTo("✔ No problems");
        assertThat(Ftfy.fixText("&macr;\\_(ã\u0083\u0084)_/&macr;")).isEqualTo("¯\\_(ツ)_/¯");
        assertThat(Ftfy.fixText("ＬＯＵＤ　ＮＯＩＳＥＳ")).isEqualTo("LOUD NOISES");
        // &hellip; is U+2026 in the HTML5 table (ftfy keeps it), &#x2019; is uncurled, ﬂ/ﬁ are ligatures.
        assertThat(Ftfy.fixText("Broken text&hellip; it&#x2019;s ﬂubberiﬁc!")).isEqualTo("Broken text… it's flubberific!");
    }

    @Test
    void doublyEncodedMojibakeIsRepairedStepByStep() {
        // é = C3 A9; read as Windows-1252 that is "Ã©", whose UTF-8 C3 83 C2 A9 read as Windows-1252 is "ÃƒÂ©".
        assertThat(Mojibake.fixEncoding("cafÃƒÂ©")).isEqualTo("café");
        assertThat(Mojibake.fixEncoding("café")).isEqualTo("café");
        // fix_encoding_and_explain's documentation: plain, and with the 0xA0 byte turned into a space.
        assertThat(Mojibake.fixEncoding("sÃ³")).isEqualTo("só");
        assertThat(Mojibake.fixEncoding("voilÃ le travail")).isEqualTo("voilà le travail");
    }

    @Test
    void ftfyUnescapesHtmlOnlyUntilALineContainsALessThanSign() {
        assertThat(Ftfy.fixText("a &amp; b")).isEqualTo("a & b");
        assertThat(Ftfy.fixText("<b> &amp;")).isEqualTo("<b> &amp;");
        // Lines are fixed in order and the decision sticks: the first line is unescaped, the second is not.
        assertThat(Ftfy.fixText("&amp;\n<b>\n&amp;")).isEqualTo("&\n<b>\n&amp;");
    }

    @Test
    void ftfyRepeatsItsFixesUntilNothingChanges() {
        assertThat(Ftfy.fixText("&amp;amp;")).isEqualTo("&");
        // An all-lower-case name upper-cased decodes to the upper-cased character; &AMP; is an HTML5 name itself.
        assertThat(Ftfy.fixText("&NTILDE; &AMP;")).isEqualTo("Ñ &");
        // ftfy wants the ';' consumed: html.unescape("&#65;") = "A", while "&amp" without ';' is no match at all.
        assertThat(Ftfy.fixText("&#65; &amp x")).isEqualTo("A &amp x");
    }

    @Test
    void ftfyRemovesControlsAndTerminalEscapesAndNormalises() {
        assertThat(Ftfy.fixText("a\u0000b\u200Bc\uFEFFd")).isEqualTo("ab\u200Bcd"); // ZWSP is not a removed control
        assertThat(Ftfy.fixText("\u001B[1;31mred\u001B[0m")).isEqualTo("red");
        assertThat(Ftfy.fixText("e\u0301")).isEqualTo("\u00E9");
        assertThat(Ftfy.fixText("x\r\ny\rz")).isEqualTo("x\ny\nz");
        assertThat(Ftfy.fixText("\u0093quoted\u0094")).isEqualTo("\"quoted\""); // C1 → Windows-1252 → uncurled
        assertThat(Ftfy.fixText("lone \uD800 surrogate")).isEqualTo("lone \uFFFD surrogate");
    }

    @Test
    void pythonHtmlUnescapeFollowsHtml5() {
        // The HTML5 standard's own example of a legacy name without ';' as a prefix.
        assertThat(HtmlEntities.pythonUnescape("I'm &notit; I tell you")).isEqualTo("I'm ¬it; I tell you");
        assertThat(HtmlEntities.pythonUnescape("&amp &lt;3 &bogus;")).isEqualTo("& <3 &bogus;");
        // Numeric references: Windows-1252 for 0x80..0x9F, U+FFFD for 0, surrogates and too-large values,
        // nothing for disallowed code points.
        assertThat(HtmlEntities.pythonUnescape("&#128;&#x9f;")).isEqualTo("€Ÿ");
        assertThat(HtmlEntities.pythonUnescape("&#0;&#xD800;&#99999999999999999999;")).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(HtmlEntities.pythonUnescape("a&#1;b&#xFFFF;c")).isEqualTo("abc");
        assertThat(HtmlEntities.pythonUnescape("&#x1F431;")).isEqualTo("🐱");
    }

    /** regex's \s (Unicode White_Space) collapses runs; str.strip() also removes U+001C..U+001F at the ends. */
    @Test
    void whitespaceCleanMixesRegexAndPythonWhitespace() {
        assertThat(PythonText.whitespaceClean(" a\u001Cb\u00A0\u0085c\u3000d\u2028 ")).isEqualTo("a\u001Cb c d");
        assertThat(PythonText.whitespaceClean("\u001C a \u001F")).isEqualTo("a");
        assertThat(PythonText.whitespaceClean("a\u200Bb")).isEqualTo("a\u200Bb"); // ZWSP is no whitespace
        assertThat(PythonText.splitOnWhitespace("a\u001Cb\u00A0c")).containsExactly("a", "b", "c");
    }

    /** Final_Sigma: a cased letter before, none after, skipping case-ignorable characters such as '.'. */
    @Test
    void lowerCasingDecidesFinalSigmaLikePython() {
        assertThat(PythonText.lower("ΟΔΟΣ3D ΟΔΟΣ.D ΣΑ ΟΔΟΣ")).isEqualTo("οδος3d οδοσ.d σα οδος");
        assertThat(PythonText.lower("İ")).isEqualTo("i\u0307");
    }

    @Test
    void openClipUnescapesTwiceAfterFtfy() {
        // ftfy leaves "&amp;lt;" alone when the line has '<'; html.unescape twice then gives "<".
        assertThat(PromptCleaning.clean(TextCleaning.OPEN_CLIP, "<b> &amp;lt; X")).isEqualTo("<b> < x");
        assertThat(PromptCleaning.clean(TextCleaning.HF_FTFY, "<b> &amp;lt; X")).isEqualTo("<b> &amp;lt; x");
    }

    @Test
    void transformersBasicTokenizerDropsFormatCharactersAndSpacesIdeographs() {
        assertThat(PromptCleaning.clean(TextCleaning.HF_BASIC, "Zero\u200BWidth\u00A0猫猫 &amp;"))
                .isEqualTo("zerowidth 猫 猫 &amp;");
    }
}
