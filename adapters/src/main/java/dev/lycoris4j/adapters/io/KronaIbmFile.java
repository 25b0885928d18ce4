package dev.lycoris4j.adapters.io;

import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.modules.KronaIbm;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whole files in the IBM DiffuseKronA layout ({@code unet.<path>.processor.to_q_lora.down.weight},
 * diffusers' {@code save_lora_weights} format). Reading turns each projection into a KronA module named
 * as kohya would name it ({@code lora_unet_<path>}, {@code lora_te_…}, {@code lora_te2_…}), so the rest of
 * lycoris4j (inspect, merge, generate, convert) treats it like any adapter file; writing goes back.
 */
public final class KronaIbmFile {
    private KronaIbmFile() {}

    /** Whether every key is an IBM DiffuseKronA key (and there is at least one). */
    public static boolean isIbmLayout(Iterable<String> keys) {
        boolean any = false;
        for (String k : keys) {
            try {
                KronaIbm.parseKey(k);
                any = true;
            } catch (IllegalArgumentException notIbm) {
                return false;
            }
        }
        return any;
    }

    /** The modules of an IBM-layout file, in file order of their first tensor. */
    static AdapterFile toAdapterFile(Path path, Map<String, String> metadata, Map<String, Tensor> all) {
        Map<String, Map<String, Tensor>> byModule = new LinkedHashMap<>();
        Map<String, ModulePrefix> prefixes = new LinkedHashMap<>();
        for (var e : all.entrySet()) {
            KronaIbm.Key k = KronaIbm.parseKey(e.getKey());
            ModulePrefix p = prefix(k.component());
            String name = p.moduleName(k.modulePath());
            prefixes.put(name, p);
            byModule.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(k.tensor(), e.getValue());
        }
        List<AdapterModule> modules = new ArrayList<>();
        List<UnrecognizedModule> unrecognized = new ArrayList<>();
        for (var m : byModule.entrySet()) {
            try {
                modules.add(new AdapterModule(m.getKey(), prefixes.get(m.getKey()), AdapterFormats.of(Algorithm.KRONA),
                        KronaIbm.fromIbm(m.getKey(), m.getValue())));
            } catch (IllegalArgumentException e) {
                unrecognized.add(new UnrecognizedModule(m.getKey(), m.getValue().keySet().stream().toList(), e.getMessage()));
            }
        }
        return new AdapterFile(path, metadata, all, modules, unrecognized);
    }

    /**
     * Writes KronA modules in the IBM layout (fp32, metadata {@code format: pt}, as diffusers saves it).
     *
     * @param modules component-qualified module path ({@code unet.down_blocks.1…attn1.to_q}) → our tensors
     *                ({@code krona_a}, {@code krona_b})
     */
    public static void write(Path file, Map<String, Map<String, Tensor>> modules) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var m : modules.entrySet()) {
            String path = m.getKey();
            int dot = path.indexOf('.');
            String component = path.substring(0, dot);
            for (var t : KronaIbm.toIbm(m.getValue()).entrySet()) {
                out.put(KronaIbm.key(new KronaIbm.Key(component, path.substring(dot + 1), t.getKey())),
                        t.getValue().to(org.bytedeco.pytorch.global.torch.ScalarType.Float));
            }
        }
        SafetensorsWriter.write(file, out, Map.of("format", "pt"));
    }

    private static ModulePrefix prefix(String component) {
        return switch (component) {
            case "unet" -> ModulePrefix.UNET;
            case "text_encoder" -> ModulePrefix.TEXT_ENCODER;
            case "text_encoder_2" -> ModulePrefix.TEXT_ENCODER_2;
            default -> throw new IllegalArgumentException("unknown DiffuseKronA model part " + component);
        };
    }
}
