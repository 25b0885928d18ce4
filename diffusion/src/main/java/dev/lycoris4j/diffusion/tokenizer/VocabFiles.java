package dev.lycoris4j.diffusion.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Readers for the two on-disk forms of the CLIP vocabulary. Every defect names the file and, if it has one, the line. */
final class VocabFiles {
    static final String SOT_TOKEN = "<|startoftext|>";
    static final String EOT_TOKEN = "<|endoftext|>";

    /** Tens of thousands of distinct one-off keys: canonicalising (interning) them only costs time. */
    private static final JsonFactory JSON =
            JsonFactory.builder().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build();

    private VocabFiles() {}

    /** A diffusers/transformers {@code vocab.json} (token → id) with its {@code merges.txt}. */
    static ClipVocab readVocabJsonAndMerges(Path vocabJson, Path mergesTxt, String sotToken, String eotToken)
            throws TokenizerFileException {
        String[] tokens = readVocabJson(vocabJson);
        List<ClipVocab.Merge> merges = readMerges(mergesTxt, false);
        return new ClipVocab(tokens, vocabJson, merges, mergesTxt, sotToken, eotToken);
    }

    /**
     * open_clip's {@code bpe_simple_vocab_16e6.txt.gz}, turned into the vocabulary exactly as its SimpleTokenizer
     * does: the 256 byte characters, the same with {@code </w>}, the joined merges in rank order, then the two special
     * tokens. The special tokens take transformers' names so the result equals a diffusers {@code vocab.json}.
     */
    static ClipVocab readOpenClipBpe(Path gz) throws TokenizerFileException {
        List<ClipVocab.Merge> merges = readMerges(gz, true);
        String[] tokens = new String[2 * ByteAlphabet.SIZE + merges.size() + 2];
        int id = 0;
        for (int i = 0; i < ByteAlphabet.SIZE; i++) tokens[id++] = String.valueOf(ByteAlphabet.inVocabularyOrder(i));
        for (int i = 0; i < ByteAlphabet.SIZE; i++) tokens[id++] = ByteAlphabet.inVocabularyOrder(i) + ClipVocab.END_OF_WORD;
        for (ClipVocab.Merge m : merges) tokens[id++] = m.left() + m.right();
        tokens[id++] = SOT_TOKEN;
        tokens[id] = EOT_TOKEN;
        return new ClipVocab(tokens, gz, merges, gz, SOT_TOKEN, EOT_TOKEN);
    }

    private static void requireFile(Path file) throws TokenizerFileException {
        if (!Files.isRegularFile(file)) {
            throw new TokenizerFileException(file, TokenizerFileException.NO_LINE, "file not found");
        }
    }

    /**
     * Both references skip the first line (a {@code #version} header) and read the next {@link ClipVocab#MAX_MERGES}
     * lines as whitespace-separated pairs; later lines (most of open_clip's file) are never read. Line numbers in
     * errors are 1-based file lines.
     */
    private static List<ClipVocab.Merge> readMerges(Path file, boolean gzipped) throws TokenizerFileException {
        requireFile(file);
        CharsetDecoder strictUtf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream raw = Files.newInputStream(file);
             BufferedReader reader = new BufferedReader(
                     new InputStreamReader(gzipped ? new GZIPInputStream(raw) : raw, strictUtf8))) {
            String header = reader.readLine();
            if (header == null || !header.contains("#version")) {
                throw new TokenizerFileException(file, 1, "expected the '#version' header of a BPE merges file");
            }
            List<ClipVocab.Merge> merges = new ArrayList<>(ClipVocab.MAX_MERGES);
            int lineNumber = 1;
            for (String line; merges.size() < ClipVocab.MAX_MERGES && (line = reader.readLine()) != null; ) {
                lineNumber++;
                List<String> parts = PythonText.splitOnWhitespace(line);
                if (parts.size() != 2) {
                    throw new TokenizerFileException(file, lineNumber,
                            "expected two symbols separated by a space, found " + parts.size() + ": '" + line + "'");
                }
                merges.add(new ClipVocab.Merge(parts.get(0), parts.get(1), lineNumber));
            }
            return merges;
        } catch (CharacterCodingException e) {
            throw new TokenizerFileException(file, TokenizerFileException.NO_LINE, "is not valid UTF-8", e);
        } catch (IOException e) {
            throw TokenizerFileException.reading(file, e);
        }
    }

    /** {@code vocab.json}: one object of token → id, the ids a permutation of 0..n-1. */
    private static String[] readVocabJson(Path file) throws TokenizerFileException {
        requireFile(file);
        Map<String, Integer> ids = new HashMap<>();
        try (JsonParser p = JSON.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TokenizerFileException(file, lineOf(p), "expected a JSON object mapping tokens to ids");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String token = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || !p.getNumberType().equals(JsonParser.NumberType.INT)) {
                    throw new TokenizerFileException(file, lineOf(p), "token '" + token + "' has no integer id");
                }
                int id = p.getIntValue();
                if (ids.put(token, id) != null) {
                    throw new TokenizerFileException(file, lineOf(p), "token '" + token + "' appears twice");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new TokenizerFileException(file, lineOf(p), "unexpected content after the token map");
            }
        } catch (IOException e) {
            throw TokenizerFileException.reading(file, e);
        }
        String[] tokens = new String[ids.size()];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new TokenizerFileException(file, TokenizerFileException.NO_LINE, "ids must be 0.." + (tokens.length - 1)
                        + " without repeats, but token '" + e.getKey() + "' has id " + id
                        + (id >= 0 && id < tokens.length ? " (also used by '" + tokens[id] + "')" : ""));
            }
            tokens[id] = e.getKey();
        }
        return tokens; // n distinct ids in [0, n): every slot is filled
    }

    private static int lineOf(JsonParser p) {
        return p.currentLocation().getLineNr();
    }
}
