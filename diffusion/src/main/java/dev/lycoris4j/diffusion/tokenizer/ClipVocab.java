package dev.lycoris4j.diffusion.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A validated CLIP vocabulary with its BPE merges: token strings by id, and the byte-pair encoding of single words.
 * Every symbol BPE can produce is checked to be in the vocabulary when loading, so encoding never needs an unknown
 * token. Thread-safe; the word cache is shared by every {@link ClipTokenizer} variant over this vocabulary because the
 * encoding of a word does not depend on prompt cleaning or padding.
 */
final class ClipVocab {
    /** Marks a symbol that ends a word; part of the vocabulary strings. */
    static final String END_OF_WORD = "</w>";
    /**
     * Both references read only this many merges (their slice {@code [1 : 49152 - 256 - 2 + 1]}); with the 512 byte
     * symbols and the 2 special tokens they make the 49408-token vocabulary.
     */
    static final int MAX_MERGES = 49152 - 256 - 2;
    /** Enough for the distinct words of many thousands of prompts; cleared when full rather than grown. */
    private static final int WORD_CACHE_CAPACITY = 50_000;

    /** One line of a merges file: two symbols that BPE may join. {@code line} is 1-based, for error messages. */
    record Merge(String left, String right, int line) {}

    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final int[] symbolOfByte = new int[ByteAlphabet.SIZE];
    private final int[] wordEndSymbolOfByte = new int[ByteAlphabet.SIZE];
    private final MergeTable merges;
    private final int sotId;
    private final int eotId;
    private final ConcurrentHashMap<String, int[]> wordCache = new ConcurrentHashMap<>();

    /**
     * @param tokens    token string of every id 0..n-1 (distinct)
     * @param vocabFile where the tokens came from, named in errors
     * @param mergesFile where the merges came from, named in errors with the merge's line
     */
    ClipVocab(String[] tokens, Path vocabFile, List<Merge> mergeList, Path mergesFile, String sotToken, String eotToken)
            throws TokenizerFileException {
        this.tokens = tokens.clone();
        this.ids = new HashMap<>(tokens.length * 2);
        for (int id = 0; id < tokens.length; id++) {
            if (ids.put(tokens[id], id) != null) {
                throw new TokenizerFileException(vocabFile, TokenizerFileException.NO_LINE,
                        "token '" + tokens[id] + "' appears twice");
            }
        }
        for (int b = 0; b < ByteAlphabet.SIZE; b++) {
            String symbol = String.valueOf(ByteAlphabet.charOf(b));
            symbolOfByte[b] = require(symbol, vocabFile, "byte symbol");
            wordEndSymbolOfByte[b] = require(symbol + END_OF_WORD, vocabFile, "word-final byte symbol");
        }
        this.sotId = require(sotToken, vocabFile, "start-of-text token");
        this.eotId = require(eotToken, vocabFile, "end-of-text token");
        if (sotId == eotId) {
            throw new TokenizerFileException(vocabFile, TokenizerFileException.NO_LINE,
                    "the start-of-text and end-of-text tokens are the same, '" + sotToken + "'");
        }
        MergeTable.Builder table = new MergeTable.Builder(mergeList.size());
        for (int rank = 0; rank < mergeList.size(); rank++) {
            Merge m = mergeList.get(rank);
            table.put(requireMergePart(m.left(), m, mergesFile), requireMergePart(m.right(), m, mergesFile), rank,
                    requireMergePart(m.left() + m.right(), m, mergesFile));
        }
        this.merges = table.build();
    }

    private int require(String token, Path vocabFile, String role) throws TokenizerFileException {
        Integer id = ids.get(token);
        if (id == null) {
            throw new TokenizerFileException(vocabFile, TokenizerFileException.NO_LINE,
                    "the vocabulary lacks the " + role + " '" + token + "'");
        }
        return id;
    }

    private int requireMergePart(String symbol, Merge m, Path mergesFile) throws TokenizerFileException {
        Integer id = ids.get(symbol);
        if (id == null) {
            throw new TokenizerFileException(mergesFile, m.line(), "merge '" + m.left() + " " + m.right()
                    + "' uses or makes '" + symbol + "', which is not in the vocabulary");
        }
        return id;
    }

    int size() {
        return tokens.length;
    }

    String token(int id) {
        return tokens[id];
    }

    /** Id of a token string, or -1. */
    int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    int sotId() {
        return sotId;
    }

    int eotId() {
        return eotId;
    }

    String sotToken() {
        return tokens[sotId];
    }

    String eotToken() {
        return tokens[eotId];
    }

    /**
     * The BPE ids of one pre-tokenised word (non-empty, no lone surrogates). The returned array is shared with the
     * cache: callers must not modify it.
     */
    int[] encodeWord(String word) {
        int[] cached = wordCache.get(word);
        if (cached != null) return cached;
        int[] encoded = bytePairEncode(word.getBytes(StandardCharsets.UTF_8));
        if (wordCache.size() >= WORD_CACHE_CAPACITY) wordCache.clear();
        wordCache.put(word, encoded);
        return encoded;
    }

    /**
     * CLIP's {@code bpe()}: start from one symbol per byte (the last marked word-final) and repeatedly join every
     * occurrence, left to right, of the adjacent pair with the lowest merge rank, until no adjacent pair has a rank.
     */
    private int[] bytePairEncode(byte[] utf8) {
        int n = utf8.length;
        int[] word = new int[n];
        for (int i = 0; i < n - 1; i++) word[i] = symbolOfByte[utf8[i] & 0xFF];
        word[n - 1] = wordEndSymbolOfByte[utf8[n - 1] & 0xFF];
        while (n > 1) {
            int bestRank = Integer.MAX_VALUE;
            int bestSlot = MergeTable.ABSENT;
            int bestPosition = -1;
            for (int i = 0; i < n - 1; i++) {
                int slot = merges.find(word[i], word[i + 1]);
                if (slot != MergeTable.ABSENT && merges.rankAt(slot) < bestRank) {
                    bestRank = merges.rankAt(slot);
                    bestSlot = slot;
                    bestPosition = i;
                }
            }
            if (bestSlot == MergeTable.ABSENT) break;
            int left = word[bestPosition];
            int right = word[bestPosition + 1];
            int merged = merges.mergedIdAt(bestSlot);
            int written = 0;
            for (int i = 0; i < n; ) {
                if (i < n - 1 && word[i] == left && word[i + 1] == right) {
                    word[written++] = merged;
                    i += 2;
                } else {
                    word[written++] = word[i++];
                }
            }
            n = written;
        }
        return Arrays.copyOf(word, n);
    }
}
