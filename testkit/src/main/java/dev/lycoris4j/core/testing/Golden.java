package dev.lycoris4j.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared golden reference data (outputs of the Python reference implementations).
 * Maven passes its location as the system property {@code lycoris4j.golden}; the data is never
 * copied into the repository. A missing directory is a test failure, not a skip.
 */
public final class Golden {
    private Golden() {}

    public static Path root() {
        String p = System.getProperty("lycoris4j.golden");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared", "golden");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("golden data not found at " + root.toAbsolutePath()
                    + " (expected ../shared/golden beside the checkout)");
        }
        return root.normalize();
    }

    public static Path path(String relative) {
        Path f = root().resolve(relative);
        if (!Files.exists(f)) throw new IllegalStateException("golden file missing: " + f);
        return f;
    }

    public static Path data(String relative) {
        String p = System.getProperty("lycoris4j.data");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared", "data");
        Path f = root.resolve(relative);
        if (!Files.exists(f)) throw new IllegalStateException("shared data file missing: " + f);
        return f.normalize();
    }
}
