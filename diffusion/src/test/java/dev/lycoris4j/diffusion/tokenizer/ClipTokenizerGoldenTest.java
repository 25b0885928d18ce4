package dev.lycoris4j.diffusion.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden case {@code 1_tokenizer}: 61 prompts, the ids of four reference tokenizers each
 * ({@code sd/tokenizer_golden.json}, whose {@code description} defines the variants).
 */
class ClipTokenizerGoldenTest {
    /** One prompt of the golden file. */
    record Case(String prompt, List<String> bpeTokensHf, int untruncatedCount, long[] sd1Hf, long[] sd1HfNoFtfy,
                long[] sd2Hf, long[] openClip) {
        @Override
        public String toString() {
            return prompt.length() > 60 ? prompt.substring(0, 60) + "…" : prompt;
        }
    }

    private static final ClipTokenizer SD1_HF = GoldenTokenizers.SD1_HF;
    private static final ClipTokenizer SD1_HF_NO_FTFY = SD1_HF.withConfig(ClipTokenizerConfig.sd1WithoutFtfy());
    private static final ClipTokenizer SD2_HF = SD1_HF.withConfig(ClipTokenizerConfig.sdxlTokenizer2());
    private static final ClipTokenizer OPEN_CLIP = GoldenTokenizers.OPEN_CLIP;
    private static final List<Case> CASES = readCases();

    static List<Case> cases() {
        return CASES;
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void sd1HfInputIds(Case c) {
        assertThat(SD1_HF.inputIds(c.prompt())).containsExactly(c.sd1Hf());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void sd1HfWithoutFtfyInputIds(Case c) {
        assertThat(SD1_HF_NO_FTFY.inputIds(c.prompt())).containsExactly(c.sd1HfNoFtfy());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void sd2HfInputIds(Case c) {
        assertThat(SD2_HF.inputIds(c.prompt())).containsExactly(c.sd2Hf());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void openClipInputIds(Case c) {
        assertThat(OPEN_CLIP.inputIds(c.prompt())).containsExactly(c.openClip());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void bpeTokensAreUntruncated(Case c) {
        assertThat(SD1_HF.bpeTokens(c.prompt())).containsExactlyElementsOf(c.bpeTokensHf());
        assertThat(SD1_HF.encode(c.prompt())).hasSize(c.untruncatedCount());
    }

    /** Invariant: decoding gives back the cleaned prompt, up to the spaces that word ends become. */
    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void decodeInvertsEncode(Case c) {
        String cleaned = PromptCleaning.clean(ClipTokenizerConfig.TextCleaning.OPEN_CLIP, c.prompt());
        assertThat(OPEN_CLIP.decode(OPEN_CLIP.encode(c.prompt())).replace(" ", ""))
                .isEqualTo(cleaned.replace(" ", ""));
    }

    @Test
    void batchEqualsSinglePrompts() {
        List<String> prompts = CASES.stream().map(Case::prompt).toList();
        long[][] batch = SD1_HF.inputIds(prompts);
        assertThat(batch).hasNumberOfRows(prompts.size());
        for (int i = 0; i < prompts.size(); i++) assertThat(batch[i]).containsExactly(CASES.get(i).sd1Hf());
    }

    /**
     * Python's regex module, ignoring case, matches U+0345 with no alternative of the pattern, so findall skips it:
     * the prompt tokenizes as if the character were a space.
     */
    @Test
    void combiningYpogegrammeniIsSkippedLikeInPython() {
        assertThat(OPEN_CLIP.encode("a\u0345b!\u0345!")).containsExactly(OPEN_CLIP.encode("a b ! !"));
        assertThat(SD1_HF.encode("a\u0345b")).containsExactly(SD1_HF.encode("a b"));
    }

    @Test
    void sd15FolderConfigurationIsSd1() {
        assertThat(SD1_HF.config()).isEqualTo(ClipTokenizerConfig.sd1());
    }

    private static List<Case> readCases() {
        try {
            JsonNode root = new ObjectMapper().readTree(Golden.path("sd/tokenizer_golden.json").toFile());
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                List<String> tokens = new ArrayList<>();
                c.get("bpe_tokens_hf").forEach(t -> tokens.add(t.asText()));
                cases.add(new Case(c.get("prompt").asText(), tokens, c.get("num_tokens_untruncated_hf").asInt(),
                        longs(c.get("sd1_hf_input_ids")), longs(c.get("sd1_hf_noftfy_input_ids")),
                        longs(c.get("sd2_hf_input_ids")), longs(c.get("open_clip_input_ids"))));
            }
            assertThat(cases).hasSize(root.get("summary").get("num_prompts").asInt());
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
        return out;
    }
}
