package dev.lycoris4j.adapters;

import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every algorithm's file format, in the reference's detection order (spec §3): a module's keys are
 * tried against each entry in turn and the first match decides, so the order matters.
 */
public final class AdapterFormats {
    private AdapterFormats() {}

    // Reference order: LoCon (lora_up.weight) → LoHa (hada_w1_a) → IA3 (on_input) → LoKr (lokr_w1|lokr_w1_a)
    // → Full (diff) → Norm (w_norm) → Diag-OFT (oft_blocks 3-D) → BOFT (oft_blocks 4-D) → GLoRA (a1.weight).
    // DiffuseKronA (ours) comes last: its keys collide with none of the above.
    private static final List<AdapterFormat> FORMATS = List.of(
    );

    public static List<AdapterFormat> all() {
        return FORMATS;
    }

    /** The format of a module's tensors (suffix → tensor), or empty when no algorithm recognises them. */
    public static Optional<AdapterFormat> detect(Map<String, Tensor> tensors) {
        for (AdapterFormat f : FORMATS) if (f.detects().test(tensors)) return Optional.of(f);
        return Optional.empty();
    }

    public static AdapterFormat of(Algorithm algorithm) {
        for (AdapterFormat f : FORMATS) if (f.algorithm() == algorithm) return f;
        throw new IllegalArgumentException("no format registered for " + algorithm.id());
    }

    /** Rebuilds the adapter of module {@code name}; fails with the module's name and its keys when unrecognised. */
    public static Adapter load(String name, LayerSpec layer, Map<String, Tensor> tensors) {
        AdapterFormat f = detect(tensors).orElseThrow(() -> new IllegalArgumentException(
                "module " + name + ": no algorithm recognises its keys " + tensors.keySet()));
        return f.loader().load(name, layer, tensors);
    }

    public static Adapter create(String name, LayerSpec layer, AdapterConfig config, Tensor baseWeight) {
        return of(config.algorithm()).creator().create(name, layer, config, baseWeight);
    }
}
