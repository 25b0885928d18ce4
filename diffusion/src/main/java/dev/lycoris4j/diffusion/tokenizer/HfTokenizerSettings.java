package dev.lycoris4j.diffusion.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a transformers tokenizer folder's {@code tokenizer_config.json} and {@code special_tokens_map.json} say about
 * the special tokens and the length. As in transformers, entries of special_tokens_map.json override those of
 * tokenizer_config.json, and anything absent keeps CLIPTokenizer's constructor default. The unk token and any other
 * {@code added_tokens_decoder} entries are not read: CLIP folders use {@code <|endoftext|>} for unk, which is already
 * the end-of-text token.
 */
record HfTokenizerSettings(String bosToken, String eosToken, String padToken, int modelMaxLength) {
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    /** CLIP's context length, CLIPTokenizer's value for every published CLIP checkpoint. */
    static final int CLIP_CONTEXT_LENGTH = 77;

    private static final ObjectMapper JSON = new ObjectMapper();

    static HfTokenizerSettings read(Path folder) throws TokenizerFileException {
        String bos = VocabFiles.SOT_TOKEN;
        String eos = VocabFiles.EOT_TOKEN;
        String pad = VocabFiles.EOT_TOKEN;
        int maxLength = CLIP_CONTEXT_LENGTH;
        for (String name : new String[] {TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP}) {
            Path file = folder.resolve(name);
            if (!Files.isRegularFile(file)) continue;
            JsonNode root = readObject(file);
            bos = tokenText(file, root, "bos_token", bos);
            eos = tokenText(file, root, "eos_token", eos);
            pad = tokenText(file, root, "pad_token", pad);
            JsonNode length = root.get("model_max_length");
            if (length != null) {
                if (!length.canConvertToInt() || !length.isIntegralNumber() || length.asInt() < 2) {
                    throw new TokenizerFileException(file, TokenizerFileException.NO_LINE,
                            "model_max_length must be an integer of at least 2 (room for start and end), not " + length);
                }
                maxLength = length.asInt();
            }
        }
        return new HfTokenizerSettings(bos, eos, pad, maxLength);
    }

    private static JsonNode readObject(Path file) throws TokenizerFileException {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new TokenizerFileException(file, TokenizerFileException.NO_LINE, "expected a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw TokenizerFileException.reading(file, e);
        }
    }

    /** A special token is written either as its text or as an AddedToken object whose {@code content} is the text. */
    private static String tokenText(Path file, JsonNode root, String field, String fallback)
            throws TokenizerFileException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return fallback;
        if (n.isTextual()) return n.asText();
        if (n.isObject() && n.path("content").isTextual()) return n.get("content").asText();
        throw new TokenizerFileException(file, TokenizerFileException.NO_LINE,
                field + " must be a string or an object with a string 'content', not " + n);
    }
}
