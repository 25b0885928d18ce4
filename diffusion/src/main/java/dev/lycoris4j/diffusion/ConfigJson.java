package dev.lycoris4j.diffusion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model's {@code config.json} with typed reads whose errors name the file and the field. */
public record ConfigJson(Path file, JsonNode root) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static ConfigJson read(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("config file not found: " + file);
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": not a JSON object");
            return new ConfigJson(file, root);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    public boolean has(String field) {
        JsonNode n = root.get(field);
        return n != null && !n.isNull();
    }

    public int integer(String field) {
        return require(field, JsonNode::isIntegralNumber, "an integer").asInt();
    }

    public int integer(String field, int fallback) {
        return has(field) ? integer(field) : fallback;
    }

    public double number(String field, double fallback) {
        return has(field) ? require(field, JsonNode::isNumber, "a number").asDouble() : fallback;
    }

    public boolean bool(String field, boolean fallback) {
        return has(field) ? require(field, JsonNode::isBoolean, "true or false").asBoolean() : fallback;
    }

    public String string(String field, String fallback) {
        return has(field) ? require(field, JsonNode::isTextual, "a string").asText() : fallback;
    }

    /** An int list; a single integer is broadcast to {@code length} entries, as diffusers does. */
    public int[] integers(String field, int length) {
        JsonNode n = root.get(field);
        if (n != null && n.isIntegralNumber()) {
            int[] out = new int[length];
            java.util.Arrays.fill(out, n.asInt());
            return out;
        }
        require(field, JsonNode::isArray, "an integer or a list of integers");
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isIntegralNumber()) throw error(field, "a list of integers");
            out[i] = n.get(i).asInt();
        }
        if (length >= 0 && out.length != length) {
            throw new IllegalArgumentException(file + ": field '" + field + "' has " + out.length
                    + " entries, expected " + length);
        }
        return out;
    }

    public String[] strings(String field) {
        JsonNode n = require(field, JsonNode::isArray, "a list of strings");
        String[] out = new String[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isTextual()) throw error(field, "a list of strings");
            out[i] = n.get(i).asText();
        }
        return out;
    }

    private JsonNode require(String field, java.util.function.Predicate<JsonNode> ok, String what) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) throw new IllegalArgumentException(file + ": missing field '" + field + "'");
        if (!ok.test(n)) throw error(field, what);
        return n;
    }

    private IllegalArgumentException error(String field, String what) {
        return new IllegalArgumentException(file + ": field '" + field + "' must be " + what + ", got " + root.get(field));
    }
}
