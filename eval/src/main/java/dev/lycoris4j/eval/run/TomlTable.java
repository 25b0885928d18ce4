package dev.lycoris4j.eval.run;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One table of a TOML config with typed reads whose errors name the file, the table and the key
 * ({@code eval.toml: [generation] steps must be an integer, got "x"}); syntax errors name the line.
 * Paths are relative to the config file's folder. Public for configs that embed eval.toml's keys (a sweep's
 * {@code [eval]}).
 */
public final class TomlTable {
    private final Path file;
    private final String name;
    private final JsonNode node;

    private TomlTable(Path file, String name, JsonNode node) {
        this.file = file;
        this.name = name;
        this.node = node;
    }

    public static TomlTable read(Path file) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("config not found: " + file, e);
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new IllegalArgumentException(file + (line > 0 ? ":" + line : "") + ": not valid TOML: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config " + file + ": " + e.getMessage(), e);
        }
        return new TomlTable(file, "", root);
    }

    /** Fails on a key not in {@code known}: a misspelt option must not be silently ignored. */
    public TomlTable allowOnly(Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) throw error("unknown key '" + key + "' (known: " + String.join(", ", new TreeSet<>(known)) + ")");
        }
        return this;
    }

    public boolean has(String key) {
        return node.has(key);
    }

    /** The sub-table {@code key}; an absent one reads as empty. */
    public TomlTable table(String key) {
        JsonNode v = node.get(key);
        if (v == null) return new TomlTable(file, "[" + key + "]", JsonNodeFactory.instance.objectNode());
        if (!v.isObject()) throw error(key + " must be a table");
        return new TomlTable(file, "[" + key + "]", v);
    }

    /** The array of tables {@code [[key]]}. */
    public List<TomlTable> tables(String key) {
        JsonNode v = node.get(key);
        List<TomlTable> out = new ArrayList<>();
        if (v == null) return out;
        if (!v.isArray()) throw error(key + " must be an array of tables ([[" + key + "]])");
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isObject()) throw error(key + " must be an array of tables ([[" + key + "]])");
            out.add(new TomlTable(file, "[[" + key + "]] #" + (i + 1), v.get(i)));
        }
        return out;
    }

    public String string(String key, String fallback) {
        JsonNode v = node.get(key);
        if (v == null) return fallback;
        if (!v.isTextual()) throw error(key + " must be a string, got " + v);
        return v.textValue();
    }

    public String requiredString(String key) {
        String v = string(key, null);
        if (v == null || v.isBlank()) throw error("'" + key + "' is required");
        return v;
    }

    /** A path relative to the config's folder, or null when absent. */
    public Path path(String key) {
        String v = string(key, null);
        return v == null ? null : folder().resolve(v).normalize();
    }

    public Path requiredPath(String key) {
        return folder().resolve(requiredString(key)).normalize();
    }

    public int integer(String key, int fallback) {
        JsonNode v = node.get(key);
        if (v == null) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(key + " must be an integer, got " + v);
        return v.intValue();
    }

    public long longInteger(String key, long fallback) {
        JsonNode v = node.get(key);
        if (v == null) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw error(key + " must be an integer, got " + v);
        return v.longValue();
    }

    /** A number; NaN when absent and {@code fallback} is NaN. */
    public double number(String key, double fallback) {
        JsonNode v = node.get(key);
        if (v == null) return fallback;
        if (!v.isNumber()) throw error(key + " must be a number, got " + v);
        return v.doubleValue();
    }

    public boolean bool(String key, boolean fallback) {
        JsonNode v = node.get(key);
        if (v == null) return fallback;
        if (!v.isBoolean()) throw error(key + " must be true or false, got " + v);
        return v.booleanValue();
    }

    /** A list of strings; {@code fallback} when absent. */
    public List<String> strings(String key, List<String> fallback) {
        JsonNode v = node.get(key);
        if (v == null) return fallback;
        if (!v.isArray()) throw error(key + " must be a list of strings, got " + v);
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) throw error(key + " must be a list of strings, got " + v);
            out.add(e.textValue());
        }
        return List.copyOf(out);
    }

    /** A list of integers; empty when absent. */
    public List<Long> longs(String key) {
        JsonNode v = node.get(key);
        if (v == null) return List.of();
        if (!v.isArray()) throw error(key + " must be a list of integers, got " + v);
        List<Long> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isIntegralNumber() || !e.canConvertToLong()) throw error(key + " must be a list of integers, got " + v);
            out.add(e.longValue());
        }
        return List.copyOf(out);
    }

    /** The keys of the table, in file order. */
    public List<String> keys() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The raw value of {@code key}, or null (for values whose type depends on another key). */
    public JsonNode raw(String key) {
        return node.get(key);
    }

    /** The table itself, without the keys {@code except} (to hand its remaining keys to another reader). */
    public JsonNode rawWithout(String... except) {
        ObjectNode copy = node.deepCopy();
        copy.remove(List.of(except));
        return copy;
    }

    /** The file and table for messages: {@code sweep.toml [eval]}. */
    public String where() {
        return file + (name.isEmpty() ? "" : " " + name);
    }

    /** The folder relative paths are resolved against: the config file's. */
    public Path folder() {
        return file.toAbsolutePath().getParent();
    }

    /** A label that may be written as a string or a number ({@code seed = "a"} or {@code seed = 23}). */
    public String label(String key) {
        JsonNode v = node.get(key);
        if (v == null) throw error("'" + key + "' is required");
        if (v.isTextual() && !v.textValue().isBlank()) return v.textValue();
        if (v.isIntegralNumber()) return v.asText();
        throw error(key + " must be a non-empty string or an integer, got " + v);
    }

    /** {@code e} naming this file and table first, unless it names the file already (the errors of this class do). */
    public IllegalArgumentException locate(IllegalArgumentException e) {
        if (e.getMessage().startsWith(file.toString())) return e;
        IllegalArgumentException located = error(e.getMessage());
        located.initCause(e);
        return located;
    }

    public IllegalArgumentException error(String message) {
        return new IllegalArgumentException(file + ": " + (name.isEmpty() ? "" : name + " ") + message);
    }
}
