package dev.lycoris4j.diffusion.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The data files beside these classes (generated from their Python sources by {@code generate_resources.py} in the
 * test resources). A missing or unreadable one is a broken build, hence unchecked.
 */
final class TokenizerResources {
    private TokenizerResources() {}

    /** The lines of a resource, without its "# " comment lines. */
    static List<String> dataLines(String name) {
        try (InputStream in = TokenizerResources.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource " + name + " is missing from the build");
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.startsWith("# ")) lines.add(line);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }
}
