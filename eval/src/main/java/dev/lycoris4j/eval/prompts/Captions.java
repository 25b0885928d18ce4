package dev.lycoris4j.eval.prompts;

import dev.lycoris4j.eval.score.ImageSets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code <train>} prompts of a leaf: the captions of its training images ({@code collect_captions.py}'s
 * {@code in_dist_prompts.txt}), one per image in file-name order. Each caption file sits beside its image with
 * the same stem ({@code 001.png} → {@code 001.txt}) and is read as kohya reads it: first line, stripped.
 * The reference's caption order is its directory listing order; file-name order is the reproducible choice.
 */
public final class Captions {
    private Captions() {}

    /** @param extension the caption extension with its dot: {@code .txt}, {@code .txtdb}, {@code .txttags} */
    public static List<String> read(Path leafDir, String extension) {
        List<String> out = new ArrayList<>();
        for (Path image : ImageSets.files(leafDir, "dataset")) {
            String name = image.getFileName().toString();
            Path caption = image.resolveSibling(name.substring(0, name.lastIndexOf('.')) + extension);
            if (!Files.isRegularFile(caption)) {
                throw new IllegalArgumentException("no caption " + caption.getFileName() + " for training image "
                        + image + " (the <train> prompts are the training captions)");
            }
            out.add(firstLine(caption));
        }
        return out;
    }

    private static String firstLine(Path file) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
            String line = text.split("\\R", 2)[0].strip();
            if (line.isEmpty()) throw new IllegalArgumentException("caption file is empty: " + file);
            return line;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("caption file is not valid UTF-8: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read caption file " + file + ": " + e.getMessage(), e);
        }
    }
}
