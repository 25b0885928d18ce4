package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.ModulePrefix;
import dev.lycoris4j.adapters.tools.ToolReport.Skipped;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * diffusers/PEFT LoRA keys: {@code <module path>.lora_A.weight} (r, in[, k…]) and {@code .lora_B.weight}
 * (out, r[, 1…]), with an optional {@code <module path>.alpha}. Without alpha the scale is 1, as diffusers loads
 * them, so writers fold any scale into the factors. A module read this way becomes a LoRA module named in kohya's
 * style, and keeps its path.
 */
final class PeftFormat {
    private PeftFormat() {}

    private static final String A = ".lora_A.weight";
    private static final String B = ".lora_B.weight";
    private static final String ALPHA = ".alpha";

    static boolean isPeft(Collection<String> keys) {
        return keys.stream().anyMatch(k -> k.endsWith(A));
    }

    /** The modules of a PEFT-keyed state dict; keys that are not part of one go to {@code skipped}. */
    static List<SourceModule> read(Map<String, Tensor> tensors, List<Skipped> skipped) {
        ModuleNaming naming = ModuleNaming.of(tensors.keySet());
        Map<String, Map<String, Tensor>> byPath = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String key = e.getKey();
            String suffix = key.endsWith(A) ? A : key.endsWith(B) ? B : key.endsWith(ALPHA) ? ALPHA : null;
            if (suffix == null) {
                skipped.add(new Skipped(key, "not a PEFT LoRA key (" + A + ", " + B + " or " + ALPHA + ")"));
                continue;
            }
            String ours = switch (suffix) {
                case A -> "lora_down.weight";
                case B -> "lora_up.weight";
                default -> "alpha";
            };
            byPath.computeIfAbsent(key.substring(0, key.length() - suffix.length()), p -> new LinkedHashMap<>())
                    .put(ours, e.getValue());
        }
        List<SourceModule> modules = new ArrayList<>();
        byPath.forEach((path, t) -> {
            if (!t.containsKey("lora_down.weight") || !t.containsKey("lora_up.weight")) {
                skipped.add(new Skipped(path, "needs both " + A + " and " + B + ", has " + t.keySet()));
                return;
            }
            String name = naming.kohyaName(path);
            ModulePrefix prefix = ModulePrefix.of(name).orElseThrow();
            modules.add(new SourceModule(new AdapterModule(name, prefix, AdapterFormats.of(Algorithm.LORA), t), path,
                    KeyStyle.PEFT));
        });
        return modules;
    }

    /**
     * A LoRA module's tensors under PEFT keys for the module at {@code path}. Its {@code alpha} equals its rank
     * (scale 1, see {@link LowRank.Factors}), so leaving alpha out loses nothing.
     */
    static Map<String, Tensor> keys(String path, StoredModule lora) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(path + A, lora.tensors().get("lora_down.weight"));
        out.put(path + B, lora.tensors().get("lora_up.weight"));
        return out;
    }
}
