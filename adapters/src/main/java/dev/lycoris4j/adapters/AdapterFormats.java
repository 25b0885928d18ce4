package dev.lycoris4j.adapters;

import dev.lycoris4j.adapters.modules.LoConAdapter;
import dev.lycoris4j.adapters.modules.LohaAdapter;
import dev.lycoris4j.adapters.modules.LokrAdapter;
import dev.lycoris4j.adapters.modules.BoftAdapter;
import dev.lycoris4j.adapters.modules.DiagOftAdapter;
import dev.lycoris4j.adapters.modules.DyloraAdapter;
import dev.lycoris4j.adapters.modules.FullAdapter;
import dev.lycoris4j.adapters.modules.GloraAdapter;
import dev.lycoris4j.adapters.modules.Ia3Adapter;
import dev.lycoris4j.adapters.modules.KronaAdapter;
import dev.lycoris4j.adapters.modules.NormAdapter;
import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
            new AdapterFormat(Algorithm.LORA, AdapterFormat.hasKey("lora_up.weight"),
                    LoConAdapter::load, LoConAdapter::create),
            new AdapterFormat(Algorithm.LOHA, AdapterFormat.hasKey("hada_w1_a"),
                    LohaAdapter::load, LohaAdapter::create),
            new AdapterFormat(Algorithm.IA3, AdapterFormat.hasKey("on_input"),
                    Ia3Adapter::load, Ia3Adapter::create),
            new AdapterFormat(Algorithm.LOKR, AdapterFormat.hasAnyKey(Set.of("lokr_w1", "lokr_w1_a")),
                    LokrAdapter::load, LokrAdapter::create),
            new AdapterFormat(Algorithm.FULL, AdapterFormat.hasKey("diff"),
                    FullAdapter::load, FullAdapter::create),
            new AdapterFormat(Algorithm.NORM, AdapterFormat.hasKey("w_norm"),
                    NormAdapter::load, NormAdapter::create),
            // oft_blocks of any rank but 4 goes to Diag-OFT, whose loader names the bad shape.
            new AdapterFormat(Algorithm.DIAG_OFT, t -> t.containsKey("oft_blocks") && t.get("oft_blocks").dim() != 4,
                    DiagOftAdapter::load, DiagOftAdapter::create),
            new AdapterFormat(Algorithm.BOFT, t -> t.containsKey("oft_blocks") && t.get("oft_blocks").dim() == 4,
                    BoftAdapter::load, BoftAdapter::create),
            new AdapterFormat(Algorithm.GLORA, AdapterFormat.hasKey("a1.weight"),
                    GloraAdapter::load, GloraAdapter::create),
            new AdapterFormat(Algorithm.KRONA, AdapterFormat.hasAnyKey(Set.of(KronaAdapter.KEY_A, KronaAdapter.KEY_B)),
                    KronaAdapter::load, KronaAdapter::create),
            // DyLoRA files are plain LoRA keys (spec §2.9): never detected as DyLoRA, read back as LoRA.
            new AdapterFormat(Algorithm.DYLORA, t -> false, LoConAdapter::load, DyloraAdapter::create)
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
