package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.ModulePrefix;
import dev.lycoris4j.adapters.tools.ToolReport.ModuleResult;
import dev.lycoris4j.adapters.tools.ToolReport.Storage;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One module as a tool writes it: its tensors (suffix → tensor, in state-dict order) and its report line, whose
 * error is measured on the tensors exactly as written.
 */
record StoredModule(ModuleResult result, Map<String, Tensor> tensors) {

    StoredModule {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** This module with {@code extra} tensors after its own. */
    StoredModule with(Map<String, Tensor> extra) {
        Map<String, Tensor> all = new LinkedHashMap<>(tensors);
        all.putAll(extra);
        return new StoredModule(result, all);
    }

    /**
     * The change stored whole in {@code dtype}: {@code diff}/{@code diff_b} (Full) or {@code w_norm}/{@code b_norm}
     * (Norm).
     *
     * @param d  the weight change in fp32
     * @param db the bias change in fp32, or null when the bias does not change
     */
    static StoredModule whole(String name, String source, Storage storage, Tensor d, Tensor db, DType dtype,
                              List<String> notes) {
        String weightKey = storage == Storage.NORM ? "w_norm" : "diff";
        String biasKey = storage == Storage.NORM ? "b_norm" : "diff_b";
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Tensor stored = Tensors.to(d, dtype).contiguous();
        tensors.put(weightKey, stored);
        if (db != null) tensors.put(biasKey, Tensors.to(db, dtype).contiguous());
        return new StoredModule(new ModuleResult(name, source, storage, 0, LowRank.norm(d), LowRank.distance(d, stored),
                notes), tensors);
    }

    /**
     * LoRA factors standing for the fp32 change {@code d}.
     *
     * @param factors the factors as they will be written (already in the output dtype)
     */
    static StoredModule lora(String name, String source, Tensor d, LowRank.Factors factors, List<String> notes) {
        Tensor approximation = factors.to(DType.F32).deltaWeight(Tensors.shape(d));
        return new StoredModule(new ModuleResult(name, source, Storage.LORA, factors.rank(), LowRank.norm(d),
                LowRank.distance(d, approximation), notes), factors.stateDict());
    }

    /** The module's tensors under their full keys, {@code <name>.<suffix>}. */
    Map<String, Tensor> keyed() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((suffix, t) -> out.put(result.name() + "." + suffix, t));
        return out;
    }

    /**
     * The state dict of modules in kohya's order, which the {@code sshs_model_hash} follows: text encoders, then
     * the UNet, then generic modules, each group in the given order.
     */
    static Map<String, Tensor> stateDict(List<StoredModule> modules) {
        List<StoredModule> ordered = new ArrayList<>(modules);
        ordered.sort(Comparator.comparingInt(m -> ModulePrefix.of(m.result().name()).map(Enum::ordinal).orElse(Integer.MAX_VALUE)));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (StoredModule m : ordered) out.putAll(m.keyed());
        return out;
    }
}
