package dev.lycoris4j.diffusion.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Loading tokenizer files, on a tiny hand-made vocabulary: the 512 byte symbols, the merges below, the two special
 * tokens. Expected BPE results and error lines are worked out by hand from these files.
 */
class TokenizerFilesTest {
    /** Line 1 header; line 2: t+h; line 3: i+n</w>; line 4: a+a; line 5: aa+a</w>. */
    private static final String MERGES = "#version: 0.2\nt h\ni n</w>\na a\naa a</w>\n";
    private static final List<String> MERGED = List.of("th", "in</w>", "aa", "aaa</w>");

    @TempDir
    Path dir;

    private static String vocabJson(List<String> merged) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < 256; i++) vocab.put(String.valueOf(ByteAlphabet.inVocabularyOrder(i)), vocab.size());
        for (int i = 0; i < 256; i++) vocab.put(ByteAlphabet.inVocabularyOrder(i) + "</w>", vocab.size());
        for (String token : merged) vocab.put(token, vocab.size());
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(vocab);
    }

    private Path folder(String vocabJson, String merges) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), vocabJson);
        Files.writeString(dir.resolve("merges.txt"), merges);
        return dir;
    }

    private Path tinyFolder() throws IOException {
        return folder(vocabJson(MERGED), MERGES);
    }

    @Test
    void mergesApplyByRankAndLeftToRight() throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.fromDiffusersFolder(tinyFolder());

        // t h i n</w> → (t,h) has rank 0 → th i n</w> → (i,n</w>) → th in</w>
        assertThat(tokenizer.bpeTokens("thin")).containsExactly("th", "in</w>");
        // a a a</w> → (a,a) at 0-1 → aa a</w> → (aa,a</w>) → aaa</w>
        assertThat(tokenizer.bpeTokens("aaa")).containsExactly("aaa</w>");
        // a a a a</w> → (a,a) joins at 0-1; the scan resumes at 2, where a a</w> is no (a,a) → aa a a</w>;
        // neither (aa,a) nor (a,a</w>) has a rank, so BPE stops.
        assertThat(tokenizer.bpeTokens("aaaa")).containsExactly("aa", "a", "a</w>");
        assertThat(tokenizer.encode("thin")).containsExactly(512, 513);
        assertThat(tokenizer.decode(tokenizer.encode("thin aaa"))).isEqualTo("thin aaa");
    }

    @Test
    void withoutConfigurationFilesTheClipDefaultsApply() throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.fromDiffusersFolder(tinyFolder());

        assertThat(tokenizer.config()).isEqualTo(ClipTokenizerConfig.huggingFace("<|endoftext|>", 517, 77));
        long[] ids = tokenizer.inputIds("thin");
        assertThat(ids).hasSize(77);
        assertThat(ids[0]).isEqualTo(516);
        assertThat(ids[1]).isEqualTo(512);
        assertThat(ids[2]).isEqualTo(513);
        assertThat(ids[3]).isEqualTo(517);
        assertThat(ids[76]).isEqualTo(517);
    }

    @Test
    void padTokenAndLengthComeFromTheConfigurationFiles() throws IOException {
        tinyFolder();
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"pad_token\": \"<|endoftext|>\", \"model_max_length\": 6}");
        // special_tokens_map.json overrides tokenizer_config.json, as in transformers.
        Files.writeString(dir.resolve("special_tokens_map.json"),
                "{\"pad_token\": {\"content\": \"!\", \"lstrip\": false}}");
        ClipTokenizer tokenizer = ClipTokenizer.fromDiffusersFolder(dir);

        // "!" is the first printable byte, id 0.
        assertThat(tokenizer.config()).isEqualTo(ClipTokenizerConfig.huggingFace("!", 0, 6));
        // The pad text is cut out of the prompt and becomes id 0; truncation keeps 4 tokens, then end.
        assertThat(tokenizer.encode("thin!thin")).containsExactly(512, 513, 0, 512, 513);
        assertThat(tokenizer.inputIds("thin!thin")).containsExactly(516, 512, 513, 0, 512, 517);
        assertThat(tokenizer.inputIds("")).containsExactly(516, 517, 0, 0, 0, 0);
    }

    @Test
    void missingVocabJsonIsNamed() throws IOException {
        Files.writeString(dir.resolve("merges.txt"), MERGES);

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOfSatisfying(TokenizerFileException.class,
                        e -> assertThat(e.file()).isEqualTo(dir.resolve("vocab.json")))
                .hasMessageContaining("vocab.json").hasMessageContaining("not found");
    }

    @Test
    void malformedVocabJsonNamesTheLine() throws IOException {
        folder("{\n\"a\": 0,\n\"b\": ,\n}", MERGES);

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOfSatisfying(TokenizerFileException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining("vocab.json line 3");
    }

    @Test
    void nonIntegerIdNamesTheToken() throws IOException {
        folder("{\n\"a\": 0,\n\"b\": \"one\"\n}", MERGES);

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOfSatisfying(TokenizerFileException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining("'b'");
    }

    @Test
    void repeatedIdIsRejected() throws IOException {
        folder("{\"a\": 0, \"b\": 0}", MERGES);

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("has id 0");
    }

    @Test
    void vocabularyWithoutTheByteSymbolsIsRejected() throws IOException {
        folder("{\"a\": 0, \"<|startoftext|>\": 1, \"<|endoftext|>\": 2}", MERGES);

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("byte symbol");
    }

    @Test
    void mergesLineWithThreeSymbolsNamesTheLine() throws IOException {
        folder(vocabJson(MERGED), "#version: 0.2\nt h\ni n </w>\n");

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOfSatisfying(TokenizerFileException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining("merges.txt line 3");
    }

    @Test
    void mergeOutsideTheVocabularyNamesTheLine() throws IOException {
        folder(vocabJson(MERGED), "#version: 0.2\nt h\nh e\n");

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOfSatisfying(TokenizerFileException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining("'he'");
    }

    @Test
    void mergesWithoutHeaderAreRejected() throws IOException {
        folder(vocabJson(MERGED), "t h\ni n</w>\n");

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOfSatisfying(TokenizerFileException.class, e -> assertThat(e.line()).isEqualTo(1))
                .hasMessageContaining("#version");
    }

    @Test
    void mergesThatAreNotUtf8AreRejected() throws IOException {
        folder(vocabJson(MERGED), MERGES);
        Files.write(dir.resolve("merges.txt"), new byte[] {'#', 'v', 'e', 'r', 's', 'i', 'o', 'n', '\n', (byte) 0xC3, ' ', 'h'});

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("merges.txt: is not valid UTF-8");
    }

    @Test
    void unknownPadTokenIsRejected() throws IOException {
        tinyFolder();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"<pad>\"}");

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("'<pad>'");
    }

    @Test
    void malformedConfigurationNamesFileAndLine() throws IOException {
        tinyFolder();
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\n\"pad_token\": [1,\n}");

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOfSatisfying(TokenizerFileException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining("special_tokens_map.json line 3");
    }

    @Test
    void unusableMaxLengthIsRejected() throws IOException {
        tinyFolder();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 1e30}");

        assertThatThrownBy(() -> ClipTokenizer.fromDiffusersFolder(dir))
                .isInstanceOf(TokenizerFileException.class).hasMessageContaining("model_max_length");
    }

    @Test
    void openClipBpeBuildsTheVocabularyFromTheMerges() throws IOException {
        Path gz = dir.resolve("bpe.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(("\"bpe.txt#version: 0.2\n" + MERGES.substring(MERGES.indexOf('\n') + 1))
                    .getBytes(StandardCharsets.UTF_8));
        }
        ClipTokenizer tokenizer = ClipTokenizer.fromOpenClipBpe(gz);

        List<String> expected = new ArrayList<>(MERGED);
        expected.addAll(List.of("<|startoftext|>", "<|endoftext|>"));
        assertThat(tokenizer.vocabSize()).isEqualTo(512 + expected.size());
        for (int i = 0; i < expected.size(); i++) assertThat(tokenizer.token(512 + i)).isEqualTo(expected.get(i));
        assertThat(tokenizer.bpeTokens("THIN")).containsExactly("th", "in</w>");
        assertThat(tokenizer.config()).isEqualTo(ClipTokenizerConfig.openClip());
    }

    @Test
    void corruptGzipIsNamed() throws IOException {
        Path gz = dir.resolve("bpe.txt.gz");
        Files.writeString(gz, "not gzip");

        assertThatThrownBy(() -> ClipTokenizer.fromOpenClipBpe(gz))
                .isInstanceOfSatisfying(TokenizerFileException.class, e -> assertThat(e.file()).isEqualTo(gz))
                .hasMessageContaining("cannot be read");
    }

    @Test
    void configurationThatDoesNotFitTheVocabularyIsRejected() throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.fromDiffusersFolder(tinyFolder());

        assertThatThrownBy(() -> tokenizer.withConfig(ClipTokenizerConfig.huggingFace("!", 5, 77)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'!' has id 0");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {518}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("518");
    }
}
