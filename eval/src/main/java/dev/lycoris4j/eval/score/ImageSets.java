package dev.lycoris4j.eval.score;

import dev.lycoris4j.eval.image.ImageFiles;
import dev.lycoris4j.eval.image.RgbImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The images of one folder, in sorted file-name order (image k pairs with prompt line k). Other
 * files, such as the .txt infotexts image generators write beside their images, are skipped.
 */
public final class ImageSets {
    /** File extensions read as images (lower case; matched case-insensitively). */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif", "webp");

    private ImageSets() {}

    /** The image files directly in {@code dir}, sorted by name; {@code what} names the folder in errors. */
    public static List<Path> files(Path dir, String what) {
        if (!Files.exists(dir)) throw new IllegalArgumentException(what + " folder not found: " + dir);
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(what + " is not a folder: " + dir);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(Files::isRegularFile).filter(ImageSets::isImageName).forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + what + " folder " + dir + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no images (" + String.join(", ", EXTENSIONS.stream().sorted().toList())
                    + ") in " + what + " folder " + dir);
        }
        out.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return out;
    }

    /** Decodes the files; a file that does not decode is an error naming it. */
    public static List<RgbImage> read(List<Path> files) {
        List<RgbImage> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                out.add(ImageFiles.readRgb(f));
            } catch (UncheckedIOException e) {
                // The cause's message alone would not say which file.
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return out;
    }

    private static boolean isImageName(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
