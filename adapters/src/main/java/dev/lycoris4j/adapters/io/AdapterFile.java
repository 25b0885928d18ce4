package dev.lycoris4j.adapters.io;

import dev.lycoris4j.adapters.AdapterFormat;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An adapter file split into modules (spec §3): every key {@code <module>.<suffix>} belongs to the module
 * named by the part before its first '.'. Modules with a known prefix and an algorithm that recognises
 * their keys are {@link #modules()}; every other key is in {@link #unrecognized()} with the reason, so no
 * key is ever dropped silently.
 *
 * @param path         where it was read from (for messages)
 * @param metadata     the safetensors {@code __metadata__}
 * @param tensors      every tensor as stored, in file order
 * @param modules      the recognised modules, in file order
 * @param unrecognized the rest, in file order
 */
public record AdapterFile(Path path, Map<String, String> metadata, Map<String, Tensor> tensors,
                          List<AdapterModule> modules, List<UnrecognizedModule> unrecognized) {

    public AdapterFile {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        modules = List.copyOf(modules);
        unrecognized = List.copyOf(unrecognized);
    }

    /** Reads and splits the file; only a file that is not valid safetensors fails as a whole. */
    public static AdapterFile read(Path path) throws SafetensorsException {
        Map<String, Tensor> all;
        Map<String, String> metadata;
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            all = file.loadAll();
            metadata = file.metadata();
        }
        if (KronaIbmFile.isIbmLayout(all.keySet())) return KronaIbmFile.toAdapterFile(path, metadata, all);
        Map<String, Map<String, Tensor>> byModule = new LinkedHashMap<>();
        List<UnrecognizedModule> unrecognized = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : all.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            if (dot <= 0 || dot == key.length() - 1) {
                unrecognized.add(new UnrecognizedModule(key, List.of(key),
                        "the key has no '.' between a module name and a tensor name"));
                continue;
            }
            byModule.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>())
                    .put(key.substring(dot + 1), e.getValue());
        }
        List<AdapterModule> modules = new ArrayList<>();
        for (Map.Entry<String, Map<String, Tensor>> m : byModule.entrySet()) {
            String name = m.getKey();
            Map<String, Tensor> moduleTensors = m.getValue();
            Optional<ModulePrefix> prefix = ModulePrefix.of(name);
            Optional<AdapterFormat> format = AdapterFormats.detect(moduleTensors);
            if (prefix.isPresent() && format.isPresent()) {
                modules.add(new AdapterModule(name, prefix.get(), format.get(), moduleTensors));
            } else {
                List<String> keys = moduleTensors.keySet().stream().map(s -> name + "." + s).toList();
                unrecognized.add(new UnrecognizedModule(name, keys, whyUnrecognized(name, prefix, moduleTensors)));
            }
        }
        return new AdapterFile(path, metadata, all, modules, unrecognized);
    }

    private static String whyUnrecognized(String name, Optional<ModulePrefix> prefix, Map<String, Tensor> tensors) {
        if (name.equals("bundle_emb")) {
            return "textual-inversion embeddings bundled with the adapter (bundle_emb.*), not an adapter module";
        }
        if (prefix.isEmpty()) return "unknown prefix: expected " + ModulePrefix.known();
        return "no algorithm recognises its keys " + tensors.keySet();
    }

    /**
     * Every tensor in kohya's state-dict order as far as a file can tell it: modules grouped text encoders
     * first, then the UNet, then {@code lycoris_} modules, each group in file order; unrecognised keys last.
     * (The module order inside a group is the model's, which a file does not record.)
     */
    public Map<String, Tensor> stateDict() {
        List<AdapterModule> ordered = new ArrayList<>(modules);
        ordered.sort(Comparator.comparing(AdapterModule::prefix)); // stable: file order within a prefix
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (AdapterModule m : ordered) {
            for (Map.Entry<String, Tensor> t : m.tensors().entrySet()) out.put(m.name() + "." + t.getKey(), t.getValue());
        }
        for (UnrecognizedModule u : unrecognized) {
            for (String key : u.keys()) out.put(key, tensors.get(key));
        }
        return out;
    }
}
