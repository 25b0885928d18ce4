package dev.lycoris4j.train.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads kohya-style TOML files and their values with one-line errors that name the file and the key. */
public final class TomlFiles {
    private TomlFiles() {}

    /** The file's top-level table; {@code what} says what the file is for ("dataset config"). */
    public static JsonNode read(Path file, String what) {
        try {
            return new TomlMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " not found: " + file, e);
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new IllegalArgumentException(file + (line > 0 ? ":" + line : "") + ": not valid TOML: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** A TOML value as the text a command-line flag would carry (arrays joined with commas), for one conversion path. */
    public static String asText(JsonNode v, String where) {
        if (v.isTextual()) return v.textValue();
        if (v.isNumber() || v.isBoolean()) return v.asText();
        if (v.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode e : v) {
                if (!b.isEmpty()) b.append(',');
                b.append(asText(e, where));
            }
            return b.toString();
        }
        throw new IllegalArgumentException(where + ": expected a value, got a table");
    }

    public static int integer(JsonNode v, String where) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new IllegalArgumentException(where + " must be an integer, got " + v);
        return v.intValue();
    }

    public static double number(JsonNode v, String where) {
        if (!v.isNumber()) throw new IllegalArgumentException(where + " must be a number, got " + v);
        return v.doubleValue();
    }

    public static boolean bool(JsonNode v, String where) {
        if (!v.isBoolean()) throw new IllegalArgumentException(where + " must be true or false, got " + v);
        return v.booleanValue();
    }

    public static String string(JsonNode v, String where) {
        if (!v.isTextual()) throw new IllegalArgumentException(where + " must be a string, got " + v);
        return v.textValue();
    }
}
