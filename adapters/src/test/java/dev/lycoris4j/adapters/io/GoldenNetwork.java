package dev.lycoris4j.adapters.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.testing.Golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One of the three whole networks of the golden manifest ({@code networks}), with its keys file. */
public record GoldenNetwork(String name, Path adapter, Path base, Path merged, int modules,
                            List<String> stateDictOrder, List<String> mergedChangedParams,
                            Map<String, String> metadata, Map<String, String> moduleClasses,
                            Map<String, long[]> shapes) {

    public static final String NET1 = "net1_sd1_kohya_locon";
    public static final String NET2 = "net2_sdxl_kohya_loha_lokr_norm";
    public static final String NET3 = "net3_flux_like_generic_lokr";

    public static List<GoldenNetwork> all() {
        ObjectMapper json = new ObjectMapper();
        try {
            JsonNode manifest = json.readTree(Golden.path("lycoris/manifest.json").toFile());
            List<GoldenNetwork> out = new ArrayList<>();
            for (JsonNode n : manifest.get("networks")) {
                JsonNode keys = json.readTree(lycoris(n.get("keys_file").asText()).toFile());
                Map<String, String> metadata = new LinkedHashMap<>();
                keys.get("metadata").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
                // Only net2/net3 list the reference module class per module; net1 is LoCon throughout.
                Map<String, String> classes = new LinkedHashMap<>();
                if (keys.has("module_classes")) {
                    keys.get("module_classes").properties().forEach(e -> classes.put(e.getKey(), e.getValue().asText()));
                }
                Map<String, long[]> shapes = new LinkedHashMap<>();
                keys.get("keys").properties().forEach(e -> shapes.put(e.getKey(), longs(e.getValue().get("shape"))));
                out.add(new GoldenNetwork(n.get("name").asText(), lycoris(n.get("adapter_file").asText()),
                        lycoris(n.get("base_model_file").asText()), lycoris(n.get("merged_model_file").asText()),
                        n.get("n_modules").asInt(), strings(keys.get("state_dict_order")),
                        strings(keys.get("merged_changed_params")), metadata, classes, shapes));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the golden manifest", e);
        }
    }

    public static GoldenNetwork named(String name) {
        return all().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no golden network " + name));
    }

    private static Path lycoris(String relative) {
        return Golden.path("lycoris/" + relative);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : array) out.add(s.asText());
        return out;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
