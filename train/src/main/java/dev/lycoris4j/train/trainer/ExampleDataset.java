package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The example dataset {@code lycoris train} uses when given none, shipped with the project: five small PNGs of
 * coloured shapes with captions, in kohya's layout ({@code 4_circle/}: three circles repeated 4 times,
 * {@code 2_square/}: two squares repeated twice), at three aspect ratios. Resources cannot be listed from a jar, so
 * {@code files.txt} lists them.
 */
public final class ExampleDataset {
    private ExampleDataset() {}

    private static final String RESOURCES = "example/";

    /** Writes the dataset into {@code dir} (files already there with the same content are left alone); returns {@code dir}. */
    public static Path extract(Path dir) throws IOException {
        for (String name : new String(resource("files.txt"), StandardCharsets.UTF_8).split("\n")) {
            if (name.isBlank()) continue;
            Path target = dir.resolve(name);
            byte[] content = resource(name);
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), content)) continue;
            Files.createDirectories(target.getParent());
            AtomicFiles.writeBytes(target, content);
        }
        return dir;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ExampleDataset.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) throw new UncheckedIOException(new IOException("resource " + RESOURCES + name + " is missing from the build"));
            return in.readAllBytes();
        }
    }
}
