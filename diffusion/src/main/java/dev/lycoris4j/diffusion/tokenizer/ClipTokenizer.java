package dev.lycoris4j.diffusion.tokenizer;

import dev.lycoris4j.diffusion.tokenizer.ClipTokenizerConfig.SpecialTokenText;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer, reproducing transformers' {@code CLIPTokenizer} (as SD 1.x, SD 2.x and SDXL
 * pipelines call it) and open_clip's {@code SimpleTokenizer} id for id; {@link ClipTokenizerConfig} selects which.
 * Immutable and thread-safe; the BPE word cache is bounded.
 *
 * <p>A prompt goes through: (transformers only) cutting out the literal text of the special tokens; cleaning
 * ({@link ClipTokenizerConfig.TextCleaning}); splitting into words with CLIP's pattern
 * {@code <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+} (case-insensitive;
 * open_clip has {@code <start_of_text>|<end_of_text>} in front instead); UTF-8 bytes of each word mapped to the byte
 * alphabet; BPE. Weighting syntax such as {@code (word:1.2)} is not parsed: it is ordinary text, as in both references.
 *
 * <p>Not reproduced, all outside what CLIP prompts meet: the parts of ftfy's mojibake repair that {@code Mojibake}'s
 * class comment lists (encodings other than Latin-1/Windows-1252, CESU-8); transformers' added tokens other than
 * start, end and pad (for example textual-inversion tokens added at run time); and Unicode version differences
 * between Python's {@code unicodedata}/{@code regex} and the running JDK (categories, case mappings and normalisation
 * of recently assigned characters).
 */
public final class ClipTokenizer {
    /**
     * The pattern after its special-token alternatives. U+0345 (combining ypogegrammeni) is left out of the last class
     * because the {@code regex} module, ignoring case, folds it to the letter ι and so matches it with neither
     * {@code [\p{L}]} nor {@code [^\s\p{L}\p{N}]}: Python's {@code findall} skips it, and so does this pattern.
     */
    private static final String WORD_PATTERN_TAIL =
            "|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}\\u0345]+";
    private static final String OPEN_CLIP_SOT = "<start_of_text>";
    private static final String OPEN_CLIP_EOT = "<end_of_text>";

    private final ClipVocab vocab;
    private final ClipTokenizerConfig config;
    private final Pattern wordPattern;
    /** Words the pattern's special alternatives match exactly → their ids. */
    private final Map<String, Integer> specialWords;
    /** transformers: text cut out of prompts before cleaning, longest first; empty for open_clip. */
    private final List<String> addedTokens;

    private ClipTokenizer(ClipVocab vocab, ClipTokenizerConfig config) {
        this.vocab = vocab;
        this.config = config;
        boolean hf = config.specialTokenText() == SpecialTokenText.HF_ADDED_TOKENS;
        String sotWord = hf ? vocab.sotToken() : OPEN_CLIP_SOT;
        String eotWord = hf ? vocab.eotToken() : OPEN_CLIP_EOT;
        this.specialWords = Map.of(sotWord, vocab.sotId(), eotWord, vocab.eotId());
        this.wordPattern = Pattern.compile(Pattern.quote(sotWord) + "|" + Pattern.quote(eotWord) + WORD_PATTERN_TAIL,
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
        if (hf) {
            String pad = config.padToken().orElseThrow();
            int padTokenId = vocab.id(pad);
            if (padTokenId != config.padId()) {
                throw new IllegalArgumentException("pad token '" + pad + "' has id " + padTokenId
                        + " in this vocabulary, but the configuration pads with " + config.padId());
            }
            List<String> added = new ArrayList<>(new LinkedHashSet<>(List.of(vocab.sotToken(), vocab.eotToken(), pad)));
            added.sort(Comparator.comparingInt(String::length).reversed());
            this.addedTokens = List.copyOf(added);
        } else {
            this.addedTokens = List.of();
        }
        if (config.padId() >= vocab.size()) {
            throw new IllegalArgumentException("pad id " + config.padId() + " is outside the vocabulary");
        }
    }

    /**
     * A diffusers/transformers tokenizer folder ({@code vocab.json}, {@code merges.txt}, and when present
     * {@code tokenizer_config.json} / {@code special_tokens_map.json}, which say the special and pad tokens and
     * {@code model_max_length}), behaving as transformers' CLIPTokenizer with ftfy.
     */
    public static ClipTokenizer fromDiffusersFolder(Path folder) throws TokenizerFileException {
        HfTokenizerSettings settings = HfTokenizerSettings.read(folder);
        ClipVocab vocab = VocabFiles.readVocabJsonAndMerges(folder.resolve("vocab.json"), folder.resolve("merges.txt"),
                settings.bosToken(), settings.eosToken());
        int padId = vocab.id(settings.padToken());
        if (padId < 0) {
            throw new TokenizerFileException(folder.resolve("vocab.json"), TokenizerFileException.NO_LINE,
                    "lacks the pad token '" + settings.padToken() + "' that " + HfTokenizerSettings.TOKENIZER_CONFIG
                            + " or " + HfTokenizerSettings.SPECIAL_TOKENS_MAP + " names");
        }
        return new ClipTokenizer(vocab,
                ClipTokenizerConfig.huggingFace(settings.padToken(), padId, settings.modelMaxLength()));
    }

    /** open_clip's {@code bpe_simple_vocab_16e6.txt.gz}, behaving as open_clip's SimpleTokenizer. */
    public static ClipTokenizer fromOpenClipBpe(Path gz) throws TokenizerFileException {
        return new ClipTokenizer(VocabFiles.readOpenClipBpe(gz), ClipTokenizerConfig.openClip());
    }

    /**
     * The same vocabulary (and word cache) behaving as another reference, e.g. SDXL's {@code tokenizer_2} over the
     * one vocabulary every CLIP tokenizer shares.
     *
     * @throws IllegalArgumentException if the configured pad token or pad id does not fit this vocabulary
     */
    public ClipTokenizer withConfig(ClipTokenizerConfig newConfig) {
        return new ClipTokenizer(vocab, newConfig);
    }

    public ClipTokenizerConfig config() {
        return config;
    }

    public int vocabSize() {
        return vocab.size();
    }

    /** The vocabulary string of an id (byte-alphabet text; {@code </w>} marks a word end). */
    public String token(int id) {
        checkId(id);
        return vocab.token(id);
    }

    public int startOfTextId() {
        return vocab.sotId();
    }

    public int endOfTextId() {
        return vocab.eotId();
    }

    /** Token strings of the whole prompt: no start/end tokens, no truncation. */
    public List<String> bpeTokens(String text) {
        int[] ids = encode(text);
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) tokens.add(vocab.token(id));
        return tokens;
    }

    /** Ids of the whole prompt: no start/end tokens, no truncation, no padding. */
    public int[] encode(String text) {
        IdBuffer ids = new IdBuffer();
        int chunkStart = 0;
        for (int i = 0; i < text.length(); ) {
            String added = addedTokenAt(text, i);
            if (added == null) {
                i++;
                continue;
            }
            encodeChunk(text.substring(chunkStart, i), ids);
            ids.add(vocab.id(added));
            i += added.length();
            chunkStart = i;
        }
        encodeChunk(text.substring(chunkStart), ids);
        return ids.toArray();
    }

    /**
     * Exactly {@code maxLength} ids: start, the first {@code maxLength - 2} prompt tokens, end, then the pad id. Both
     * references truncate to this (open_clip by cutting to {@code maxLength} and forcing the last id to end).
     */
    public long[] inputIds(String text) {
        int[] tokens = encode(text);
        int kept = Math.min(tokens.length, config.maxLength() - 2);
        long[] out = new long[config.maxLength()];
        out[0] = vocab.sotId();
        for (int i = 0; i < kept; i++) out[i + 1] = tokens[i];
        out[kept + 1] = vocab.eotId();
        Arrays.fill(out, kept + 2, out.length, config.padId());
        return out;
    }

    /** {@link #inputIds(String)} of each prompt: a [batch, maxLength] matrix. */
    public long[][] inputIds(List<String> texts) {
        long[][] out = new long[texts.size()][];
        for (int i = 0; i < out.length; i++) out[i] = inputIds(texts.get(i));
        return out;
    }

    /**
     * Text of ids as transformers decodes it: tokens joined, byte alphabet mapped back to bytes, UTF-8 decoded (an
     * invalid sequence becomes U+FFFD), {@code </w>} turned into a space, outer whitespace stripped. Special tokens
     * appear as their text.
     */
    public String decode(int[] ids) {
        StringBuilder symbols = new StringBuilder();
        for (int id : ids) {
            checkId(id);
            symbols.append(vocab.token(id));
        }
        byte[] bytes = new byte[symbols.length()];
        for (int i = 0; i < bytes.length; i++) {
            int b = ByteAlphabet.byteOf(symbols.charAt(i));
            if (b < 0) {
                throw new IllegalArgumentException("character U+" + Integer.toHexString(symbols.charAt(i))
                        + " of a decoded token is not in the byte alphabet");
            }
            bytes[i] = (byte) b;
        }
        String text = new String(bytes, StandardCharsets.UTF_8).replace(ClipVocab.END_OF_WORD, " ");
        return PythonText.strip(text);
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary 0.." + (vocab.size() - 1));
        }
    }

    private String addedTokenAt(String text, int index) {
        for (String token : addedTokens) {
            if (text.startsWith(token, index)) return token;
        }
        return null;
    }

    private void encodeChunk(String rawText, IdBuffer ids) {
        String text = PromptCleaning.clean(config.textCleaning(), rawText);
        Matcher words = wordPattern.matcher(text);
        while (words.find()) {
            String word = words.group();
            Integer special = specialWords.get(word);
            // A case-folded near miss (e.g. with U+017F for 's') is an ordinary word, as in both references.
            if (special != null) ids.add(special);
            else ids.addAll(vocab.encodeWord(word));
        }
    }

    /** Growable int list, to avoid boxing every id. */
    private static final class IdBuffer {
        private int[] ids = new int[32];
        private int size;

        void add(int id) {
            if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
            ids[size++] = id;
        }

        void addAll(int[] more) {
            if (size + more.length > ids.length) ids = Arrays.copyOf(ids, Math.max(size * 2, size + more.length));
            System.arraycopy(more, 0, ids, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}
