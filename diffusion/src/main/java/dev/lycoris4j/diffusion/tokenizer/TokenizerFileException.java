package dev.lycoris4j.diffusion.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tokenizer file (vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json, open_clip's
 * bpe_simple_vocab_16e6.txt.gz) that is missing or malformed. The message names the file and, where the defect is
 * on one line, that line (1-based). Checked, like other bad-file conditions in lycoris4j: a broken download is an
 * expected, recoverable situation.
 */
public final class TokenizerFileException extends IOException {
    /** Line number used when the defect concerns the whole file. */
    public static final int NO_LINE = 0;

    private final Path file;
    private final int line;

    TokenizerFileException(Path file, int line, String detail, Throwable cause) {
        super("tokenizer file " + file + (line > 0 ? " line " + line : "") + ": " + detail, cause);
        this.file = file;
        this.line = line;
    }

    TokenizerFileException(Path file, int line, String detail) {
        this(file, line, detail, null);
    }

    /**
     * The exception for a failed read of {@code file}: a tokenizer file error as it is, JSON syntax with its line,
     * anything else as unreadable.
     */
    static TokenizerFileException reading(Path file, IOException e) {
        if (e instanceof TokenizerFileException t) return t;
        if (e instanceof JsonProcessingException j) {
            int line = j.getLocation() == null ? NO_LINE : j.getLocation().getLineNr();
            return new TokenizerFileException(file, line, "invalid JSON: " + j.getOriginalMessage(), e);
        }
        return new TokenizerFileException(file, NO_LINE, "cannot be read: " + e, e);
    }

    public Path file() {
        return file;
    }

    /** 1-based line of the defect, or {@link #NO_LINE}. */
    public int line() {
        return line;
    }
}
