package dev.lycoris4j.diffusion.tokenizer;

import dev.lycoris4j.core.testing.Golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The golden vocabularies, loaded once per test JVM (a load parses about 2 MB of text). */
final class GoldenTokenizers {
    static final ClipTokenizer SD1_HF = load(() -> ClipTokenizer.fromDiffusersFolder(Golden.path("sd/sd15_tiny/tokenizer")));
    static final ClipTokenizer OPEN_CLIP =
            load(() -> ClipTokenizer.fromOpenClipBpe(Golden.path("sd/bpe_simple_vocab_16e6.txt.gz")));

    private GoldenTokenizers() {}

    private interface Loader {
        ClipTokenizer load() throws IOException;
    }

    private static ClipTokenizer load(Loader loader) {
        try {
            return loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
