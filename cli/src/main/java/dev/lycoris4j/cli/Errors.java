package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.io.Messages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** One-line messages for everything a command can fail with; stack traces only with LYCORIS_DEBUG set. */
final class Errors {
    private Errors() {}

    static final String PREFIX = "lycoris: ";
    static final int BAD_INPUT = 1;

    /** A problem with the user's input that the command found itself. */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message);
        }
    }

    static String describe(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        return switch (t) {
            case NoSuchFileException f -> "no such file: " + f.getFile();
            case AccessDeniedException f -> "permission denied: " + f.getFile();
            case FileSystemException f -> f.getFile() + ": " + Messages.firstLine(f.getReason());
            case BadInput b -> b.getMessage();
            case IllegalArgumentException i -> Messages.firstLine(i.getMessage());
            case IOException i -> Messages.firstLine(i.getMessage());
            default -> t.getClass().getSimpleName() + ": " + Messages.firstLine(t.getMessage());
        };
    }

    /** Fails with a clear message unless {@code file} is a readable regular file. */
    static Path readableFile(Path file, String what) {
        if (!Files.exists(file)) throw new BadInput(what + " not found: " + file);
        if (!Files.isRegularFile(file)) throw new BadInput(what + " is not a file: " + file);
        if (!Files.isReadable(file)) throw new BadInput(what + " is not readable: " + file);
        return file;
    }
}
