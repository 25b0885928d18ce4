package dev.lycoris4j.diffusion.tokenizer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant between the two loaders: the vocabulary open_clip builds from {@code bpe_simple_vocab_16e6.txt.gz} is the
 * diffusers {@code vocab.json}, id for id.
 */
class VocabEquivalenceTest {
    @Test
    void openClipConstructionEqualsVocabJson() {
        ClipTokenizer fromJson = GoldenTokenizers.SD1_HF;
        ClipTokenizer fromGz = GoldenTokenizers.OPEN_CLIP;

        assertThat(fromGz.vocabSize()).isEqualTo(fromJson.vocabSize()).isEqualTo(49408);
        for (int id = 0; id < fromJson.vocabSize(); id++) {
            if (!fromGz.token(id).equals(fromJson.token(id))) {
                assertThat(fromGz.token(id)).as("token of id %d", id).isEqualTo(fromJson.token(id));
            }
        }
        assertThat(fromGz.startOfTextId()).isEqualTo(fromJson.startOfTextId()).isEqualTo(49406);
        assertThat(fromGz.endOfTextId()).isEqualTo(fromJson.endOfTextId()).isEqualTo(49407);
    }
}
