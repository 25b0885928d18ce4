package dev.lycoris4j.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Finds training images on disk. A training folder is either kohya's layout, subfolders named {@code N_name}
 * (each a subset repeated N times whose class tokens are {@code name}), or a plain folder of images (one subset,
 * repeated once, no class tokens). Inside a subset every image may have a same-name caption file.
 */
public final class DatasetFolders {
    private DatasetFolders() {}

    /** kohya's image suffixes; files are matched case-insensitively. */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of(".png", ".jpg", ".jpeg", ".webp", ".bmp");

    /**
     * The subsets of a training folder (or with {@code isReg}, of kohya's {@code reg_data_dir}), in name order;
     * {@code warn} hears about skipped subfolders.
     */
    public static List<Subset> subsets(Path trainDataDir, CaptionSettings captions, boolean isReg, Consumer<String> warn) {
        if (!Files.isDirectory(trainDataDir)) throw new IllegalArgumentException("training data folder not found: " + trainDataDir);
        List<Subset> out = new ArrayList<>();
        for (Path dir : list(trainDataDir).stream().filter(Files::isDirectory).toList()) {
            String name = dir.getFileName().toString();
            int underscore = name.indexOf('_');
            Integer repeats = underscore > 0 ? parseRepeats(name.substring(0, underscore)) : null;
            if (repeats == null) {
                // As kohya does: a subfolder without a repeat count is not part of the data.
                warn.accept("ignoring folder " + dir + ": its name does not start with a repeat count (N_name)");
                continue;
            }
            out.add(new Subset(dir, repeats, name.substring(underscore + 1), captions, isReg));
        }
        if (out.isEmpty()) {
            if (images(trainDataDir).isEmpty()) {
                throw new IllegalArgumentException("no training images in " + trainDataDir
                        + ": expected images (png, jpg, webp, bmp) with .txt captions, or kohya subfolders named N_name");
            }
            out.add(new Subset(trainDataDir, 1, null, captions, isReg));
        }
        return out;
    }

    private static Integer parseRepeats(String text) {
        try {
            int n = Integer.parseInt(text);
            return n >= 1 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The images of a subset with their captions, in file-name order. */
    public static List<ImageItem> items(Subset subset, int subsetIndex, Consumer<String> warn) {
        if (!Files.isDirectory(subset.imageDir())) throw new IllegalArgumentException("image folder not found: " + subset.imageDir());
        List<ImageItem> out = new ArrayList<>();
        int uncaptioned = 0;
        for (Path image : images(subset.imageDir())) {
            String caption = readCaption(captionFile(image, subset.captions().extension()));
            if (caption == null) {
                uncaptioned++;
                caption = subset.classTokens() != null ? subset.classTokens() : "";
            }
            out.add(new ImageItem(image, caption, subsetIndex));
        }
        if (uncaptioned > 0) {
            warn.accept(uncaptioned + " image(s) in " + subset.imageDir() + " have no " + subset.captions().extension()
                    + " caption; they use " + (subset.classTokens() != null ? "the class tokens '" + subset.classTokens() + "'" : "an empty caption"));
        }
        return out;
    }

    static Path captionFile(Path image, String extension) {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return image.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + extension);
    }

    /** kohya's reading: the first line, stripped; an empty file is an error. Null when there is no file. */
    static String readCaption(Path file) {
        if (!Files.isRegularFile(file)) return null;
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0) throw new IllegalArgumentException("caption file is empty: " + file);
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            return text.split("\\R", 2)[0].strip();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("caption file is not valid UTF-8: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read caption file " + file + ": " + e.getMessage(), e);
        }
    }

    static List<Path> images(Path dir) {
        return list(dir).stream().filter(Files::isRegularFile).filter(DatasetFolders::isImage).toList();
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot));
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
