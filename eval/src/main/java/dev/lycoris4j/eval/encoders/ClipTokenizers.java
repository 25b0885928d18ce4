package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.diffusion.tokenizer.ClipTokenizer;
import dev.lycoris4j.diffusion.tokenizer.ClipTokenizerConfig;
import dev.lycoris4j.diffusion.tokenizer.TokenizerFileException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the tokenizer of a CLIP checkpoint: the one given, else vocab.json + merges.txt in the
 * model folder (HF repositories of both layouts ship them) or its {@code tokenizer/} subfolder, else
 * open_clip's {@code bpe_simple_vocab_16e6.txt.gz} beside the model. An OpenCLIP model always
 * tokenizes as open_clip does (zero padding, its text cleaning), whatever files the vocabulary came from.
 */
final class ClipTokenizers {
    static final String OPEN_CLIP_BPE = "bpe_simple_vocab_16e6.txt.gz";

    private ClipTokenizers() {}

    /** @return the tokenizer, or null when none is given and none lies beside the model */
    static ClipTokenizer locate(Path model, Path given, boolean openClip) {
        Path source = given != null ? given : find(Files.isDirectory(model) ? model : model.toAbsolutePath().getParent());
        if (source == null) return null;
        try {
            if (Files.isDirectory(source)) {
                ClipTokenizer t = ClipTokenizer.fromDiffusersFolder(source);
                return openClip ? t.withConfig(ClipTokenizerConfig.openClip()) : t;
            }
            if (!Files.isRegularFile(source)) throw new IllegalArgumentException("CLIP tokenizer not found: " + source);
            ClipTokenizer t = ClipTokenizer.fromOpenClipBpe(source);
            return openClip ? t : t.withConfig(ClipTokenizerConfig.sd1());
        } catch (TokenizerFileException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Path find(Path dir) {
        for (Path candidate : new Path[] {dir, dir.resolve("tokenizer")}) {
            if (Files.isRegularFile(candidate.resolve("vocab.json")) && Files.isRegularFile(candidate.resolve("merges.txt"))) {
                return candidate;
            }
        }
        Path bpe = dir.resolve(OPEN_CLIP_BPE);
        return Files.isRegularFile(bpe) ? bpe : null;
    }
}
