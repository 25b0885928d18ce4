package dev.lycoris4j.train.network;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.lycoris4j.adapters.Algorithm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a preset file in the reference's TOML format (kohya's {@code preset=file.toml}):
 * <pre>
 * enable_conv = true
 * unet_target_module = ["Transformer2DModel", "ResnetBlock2D"]
 * unet_target_name = ["conv_in"]
 * text_encoder_target_module = ["CLIPAttention", "CLIPMLP"]
 * text_encoder_target_name = []
 * use_fnmatch = false
 * exclude_name = []                     # ours
 * [module_algo_map.FeedForward]
 * algo = "lokr"
 * factor = 4
 * [name_algo_map."down_blocks.0"]
 * dim = 8
 * </pre>
 * A key the file leaves out keeps the {@code full} preset's value, as the reference's preset only overrides the
 * wrapper's defaults (the full preset). Unknown keys and wrongly typed values are errors naming the file and key.
 */
public final class PresetToml {
    private PresetToml() {}

    private static final Set<String> KEYS = Set.of("enable_conv", "unet_target_module", "unet_target_name",
            "text_encoder_target_module", "text_encoder_target_name", "module_algo_map", "name_algo_map", "use_fnmatch",
            "exclude_name");

    public static NetworkPreset read(Path file) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("preset file not found: " + file, e);
        } catch (JacksonException e) {
            String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new IllegalArgumentException("preset file " + file + " is not valid TOML: " + e.getOriginalMessage() + line, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read preset file " + file + ": " + e.getMessage(), e);
        }
        return parse(root, file.toString());
    }

    /** Parses a preset already read as a tree; {@code source} names it in errors. */
    static NetworkPreset parse(JsonNode root, String source) {
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(source + ": unknown preset key '" + k + "'; known: " + String.join(", ",
                        KEYS.stream().sorted().toList()));
            }
        }
        NetworkPreset d = NetworkPreset.FULL;
        boolean fnmatch = bool(root, "use_fnmatch", false, source);
        try {
            return new NetworkPreset(
                    bool(root, "enable_conv", d.enableConv(), source),
                    strings(root, "unet_target_module", d.unetTargetModules(), source),
                    strings(root, "unet_target_name", d.unetTargetNames(), source),
                    strings(root, "text_encoder_target_module", d.textEncoderTargetModules(), source),
                    strings(root, "text_encoder_target_name", d.textEncoderTargetNames(), source),
                    algoMap(root, "module_algo_map", source),
                    algoMap(root, "name_algo_map", source),
                    fnmatch,
                    strings(root, "exclude_name", List.of(), source));
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(source)) throw e;
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static boolean bool(JsonNode root, String key, boolean fallback, String source) {
        JsonNode n = root.get(key);
        if (n == null) return fallback;
        if (!n.isBoolean()) throw new IllegalArgumentException(source + ": '" + key + "' must be true or false, got " + n);
        return n.booleanValue();
    }

    private static List<String> strings(JsonNode root, String key, List<String> fallback, String source) {
        JsonNode n = root.get(key);
        if (n == null) return fallback;
        if (!n.isArray()) throw new IllegalArgumentException(source + ": '" + key + "' must be an array of strings, got " + n);
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) throw new IllegalArgumentException(source + ": '" + key + "' must hold strings, got " + e);
            out.add(e.textValue());
        }
        return out;
    }

    private static Map<String, ModuleConfig> algoMap(JsonNode root, String key, String source) {
        Map<String, ModuleConfig> out = new LinkedHashMap<>();
        JsonNode n = root.get(key);
        if (n == null) return out;
        if (!n.isObject()) throw new IllegalArgumentException(source + ": '" + key + "' must be a table, got " + n);
        for (var it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            String where = source + ": " + key + "." + e.getKey();
            if (!e.getValue().isObject()) throw new IllegalArgumentException(where + " must be a table, got " + e.getValue());
            out.put(e.getKey(), moduleConfig(e.getValue(), where));
        }
        return out;
    }

    private static ModuleConfig moduleConfig(JsonNode table, String where) {
        Algorithm algorithm = null;
        Integer dim = null;
        Double alpha = null;
        Map<String, Object> options = new LinkedHashMap<>();
        for (var it = table.fields(); it.hasNext(); ) {
            var e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            try {
                switch (k) {
                    case "algo" -> {
                        if (!v.isTextual()) throw new IllegalArgumentException("must be a string, got " + v);
                        algorithm = Algorithm.parse(v.textValue());
                    }
                    case "dim" -> dim = integer(v);
                    case "alpha" -> alpha = number(v);
                    default -> {
                        ModuleConfig.Option o = ModuleConfig.OPTIONS.get(k);
                        if (o == null) {
                            throw new IllegalArgumentException("is not a module option; known: algo, dim, alpha, "
                                    + String.join(", ", ModuleConfig.OPTIONS.keySet().stream().sorted().toList()));
                        }
                        options.put(k, switch (o.kind()) {
                            case BOOLEAN -> {
                                if (!v.isBoolean()) throw new IllegalArgumentException("must be true or false, got " + v);
                                yield v.booleanValue();
                            }
                            case INTEGER -> integer(v);
                            case NUMBER -> number(v);
                        });
                    }
                }
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + "." + k + " " + ex.getMessage(), ex);
            }
        }
        return new ModuleConfig(algorithm, dim, alpha, options);
    }

    private static int integer(JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new IllegalArgumentException("must be an integer, got " + v);
        return v.intValue();
    }

    private static double number(JsonNode v) {
        if (!v.isNumber()) throw new IllegalArgumentException("must be a number, got " + v);
        return v.doubleValue();
    }
}
