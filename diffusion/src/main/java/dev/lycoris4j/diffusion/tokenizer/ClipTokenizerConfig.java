package dev.lycoris4j.diffusion.tokenizer;

import java.util.Objects;
import java.util.Optional;

/**
 * Which reference tokenizer a {@link ClipTokenizer} reproduces. The vocabulary and BPE are shared by all CLIP
 * tokenizers; they differ only in prompt cleaning, in which literal text counts as a special token, and in the
 * padding id.
 *
 * @param textCleaning     how a prompt is normalised before pre-tokenisation
 * @param specialTokenText which literal text in a prompt becomes a special id
 * @param padToken         transformers only: the pad token, whose literal text is cut out of prompts like the other
 *                         special tokens ({@code "!"} for SD 2.x and SDXL's {@code tokenizer_2}); empty for open_clip
 * @param padId            the id that fills {@code input_ids} after the end-of-text token
 * @param maxLength        length of {@code input_ids}, start and end tokens included (77 for every CLIP model)
 */
public record ClipTokenizerConfig(
        TextCleaning textCleaning, SpecialTokenText specialTokenText, Optional<String> padToken, int padId,
        int maxLength) {

    public enum TextCleaning {
        /** transformers CLIPTokenizer with ftfy installed: {@code whitespace_clean(ftfy.fix_text(text)).lower()}. */
        HF_FTFY,
        /**
         * transformers CLIPTokenizer when ftfy is not installed: its BasicTokenizer (control and format characters
         * removed, spaces around CJK ideographs, NFC, lower case); no HTML unescaping, mojibake repair, quote or
         * width folding.
         */
        HF_BASIC,
        /**
         * open_clip SimpleTokenizer:
         * {@code whitespace_clean(html.unescape(html.unescape(ftfy.fix_text(text))).strip()).lower()}.
         */
        OPEN_CLIP
    }

    public enum SpecialTokenText {
        /**
         * transformers: the literal text of the start, end and pad tokens is cut out of the raw prompt (exact case,
         * before cleaning) and becomes their ids; after lower-casing, {@code <|startoftext|>} and
         * {@code <|endoftext|>} written in any case are still recognised as whole words.
         */
        HF_ADDED_TOKENS,
        /**
         * open_clip 2.24+: only {@code <start_of_text>} and {@code <end_of_text>} (any case, after cleaning) are
         * special; {@code <|startoftext|>} is BPE-encoded as ordinary characters.
         */
        OPEN_CLIP_NAMES
    }

    /** End-of-text id of the CLIP vocabulary, the pad id of SD 1.x and of SDXL's first tokenizer. */
    public static final int CLIP_EOT_ID = 49407;
    /** Id of "!" (the first vocabulary entry): SD 2.x / SDXL {@code tokenizer_2} pad, and open_clip's zero padding. */
    public static final int ZERO_PAD_ID = 0;
    public static final int CLIP_MAX_LENGTH = HfTokenizerSettings.CLIP_CONTEXT_LENGTH;

    public ClipTokenizerConfig {
        Objects.requireNonNull(textCleaning, "textCleaning");
        Objects.requireNonNull(specialTokenText, "specialTokenText");
        Objects.requireNonNull(padToken, "padToken");
        if ((specialTokenText == SpecialTokenText.HF_ADDED_TOKENS) != padToken.isPresent()) {
            throw new IllegalArgumentException("a pad token text belongs to the transformers special-token handling "
                    + "and only to it; got " + specialTokenText + " with padToken " + padToken);
        }
        if (padToken.isPresent() && padToken.get().isEmpty()) throw new IllegalArgumentException("empty pad token");
        if (padId < 0) throw new IllegalArgumentException("negative pad id " + padId);
        if (maxLength < 2) throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for start and end");
    }

    /** transformers' CLIPTokenizer with ftfy, padding with {@code padToken} (whose id is {@code padId}). */
    public static ClipTokenizerConfig huggingFace(String padToken, int padId, int maxLength) {
        return new ClipTokenizerConfig(TextCleaning.HF_FTFY, SpecialTokenText.HF_ADDED_TOKENS, Optional.of(padToken),
                padId, maxLength);
    }

    /** SD 1.x {@code tokenizer} and SDXL's first {@code tokenizer}: pads with end-of-text. */
    public static ClipTokenizerConfig sd1() {
        return huggingFace(VocabFiles.EOT_TOKEN, CLIP_EOT_ID, CLIP_MAX_LENGTH);
    }

    /** {@link #sd1()} as transformers behaves when ftfy is not installed. */
    public static ClipTokenizerConfig sd1WithoutFtfy() {
        return new ClipTokenizerConfig(TextCleaning.HF_BASIC, SpecialTokenText.HF_ADDED_TOKENS,
                Optional.of(VocabFiles.EOT_TOKEN), CLIP_EOT_ID, CLIP_MAX_LENGTH);
    }

    /** SD 2.x {@code tokenizer} and SDXL {@code tokenizer_2}: pad token "!", so every "!" in a prompt becomes id 0. */
    public static ClipTokenizerConfig sdxlTokenizer2() {
        return huggingFace("!", ZERO_PAD_ID, CLIP_MAX_LENGTH);
    }

    /** open_clip's SimpleTokenizer, as used by OpenCLIP models (for example in evaluation): zero padding. */
    public static ClipTokenizerConfig openClip() {
        return new ClipTokenizerConfig(TextCleaning.OPEN_CLIP, SpecialTokenText.OPEN_CLIP_NAMES, Optional.empty(),
                ZERO_PAD_ID, CLIP_MAX_LENGTH);
    }
}
