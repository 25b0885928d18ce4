package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Set;

/**
 * The change an adapter module makes to its layer at a multiplier, {@code ΔW = W' − W} and {@code Δb}, taken from
 * the adapter's own merged weights, so every algorithm's semantics (DoRA's normalisation, OFT's rotation, ...)
 * are exactly what a merge would do.
 *
 * @param bias null when the bias does not change
 */
record ModuleDelta(Tensor weight, Tensor bias) {

    /** Algorithms whose change is a function of the weight they change (spec §2.5–2.8). */
    private static final Set<Algorithm> BASE_DEPENDENT = Set.of(Algorithm.IA3, Algorithm.DIAG_OFT, Algorithm.BOFT,
            Algorithm.GLORA);

    /**
     * Whether the module's ΔW depends on the layer's weight: OFT/BOFT rotate it, (IA)³ scales it, GLoRA multiplies
     * it, DoRA ({@code dora_scale}) renormalises it. Every other algorithm adds a change of its own.
     */
    static boolean needsBase(AdapterModule module) {
        return BASE_DEPENDENT.contains(module.algorithm()) || module.tensors().containsKey("dora_scale");
    }

    /** The change of {@code module} on {@code target} at {@code multiplier}, in fp32. */
    static ModuleDelta of(AdapterModule module, BaseCheckpoint.Target target, double multiplier) {
        Adapter adapter = module.load(target.spec());
        LayerSpec spec = target.spec();
        boolean fromZero = target.weight() == null;
        boolean norm = spec instanceof LayerSpec.LayerNorm || spec instanceof LayerSpec.GroupNorm;
        long[] shape = spec.weightShape();
        // A change that does not depend on W is exactly (0 + Δ) − 0 against zeros; against W it would round.
        Tensor w = fromZero ? torch.zeros(shape) : target.weight();
        Tensor b = fromZero ? torch.zeros(norm ? shape : new long[] {shape[0]}) : target.bias();
        WeightPair merged = adapter.mergedWeights(w, b, multiplier);
        Tensor dw = merged.weight().sub(w);
        Tensor db = merged.bias() == null ? null : b == null ? merged.bias() : merged.bias().sub(b);
        if (db != null && db.abs().max().item_double() == 0) db = null;
        return new ModuleDelta(dw, db);
    }
}
