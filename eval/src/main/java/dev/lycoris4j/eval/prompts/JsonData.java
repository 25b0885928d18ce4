package dev.lycoris4j.eval.prompts;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the evaluation's JSON data files (prompt tables, DreamBench) with one-line errors that name the file
 * (and, for syntax errors, the line) and the key.
 */
public final class JsonData {
    private JsonData() {}

    /** A parsed file and the name errors give it. */
    public record Document(JsonNode root, String source) {

        /** The member {@code key} of the top-level object; missing is an error. */
        public JsonNode require(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) throw new IllegalArgumentException(source + ": no '" + key + "' entry");
            return v;
        }

        /** A non-empty list of strings. */
        public List<String> strings(JsonNode node, String where) {
            if (!node.isArray() || node.isEmpty()) throw error(where + " must be a non-empty list of strings");
            List<String> out = new ArrayList<>(node.size());
            for (JsonNode e : node) {
                if (!e.isTextual()) throw error(where + " must hold strings only, got " + e);
                out.add(e.textValue());
            }
            return List.copyOf(out);
        }

        public String string(JsonNode node, String where) {
            if (node == null || !node.isTextual()) throw error(where + " must be a string, got " + node);
            return node.textValue();
        }

        public IllegalArgumentException error(String message) {
            return new IllegalArgumentException(source + ": " + message);
        }
    }

    public static Document read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("data file not found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A data file shipped in this module's resources (absolute resource name). */
    public static Document resource(String name) {
        try (InputStream in = JsonData.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("built-in data file missing from the jar: " + name);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in " + name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read built-in " + name + ": " + e.getMessage(), e);
        }
    }

    private static Document parse(String text, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new IllegalArgumentException(source + (line > 0 ? ":" + line : "") + ": not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(source + ": expected a JSON object");
        return new Document(root, source);
    }
}
