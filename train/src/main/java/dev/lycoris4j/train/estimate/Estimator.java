package dev.lycoris4j.train.estimate;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.safetensors.SafetensorsLayout;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.train.network.NetworkComponent;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPlan;
import dev.lycoris4j.train.network.PlannedModule;
import dev.lycoris4j.train.trainer.AdamW8bitOptimizer;
import dev.lycoris4j.train.trainer.AdamWOptimizer;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts a network's modules, trainable parameters, file bytes and optimizer state from the real adapters: every selected
 * layer's adapter is created as training would create it and its state dict is measured, one adapter at a
 * time, each freed before the next, so even full fine-tuning of SDXL needs one layer's worth of memory.
 */
public final class Estimator {
    private Estimator() {}

    /** Saved next to the trainable tensors but not trained: the rank scale and (IA)³'s input flag. */
    private static final Set<String> CONSTANTS = Set.of("alpha", "on_input");

    public static AdapterEstimate estimate(ModelArchitecture architecture, NetworkConfig config, DType dtype) {
        return estimate(architecture.buildMeta(), config, dtype);
    }

    public static AdapterEstimate estimate(List<NetworkComponent> components, NetworkConfig config, DType dtype) {
        int te = 0, unet = 0;
        long parameters = 0, stored = 0, adamW = 0, adamW8bit = 0;
        List<SafetensorsLayout.Entry> entries = new ArrayList<>();
        for (PlannedModule m : NetworkPlan.of(components, config)) {
            if (m.role() == NetworkComponent.Role.TEXT_ENCODER) te++;
            else unet++;
            for (SafetensorsLayout.Entry e : trainedFileTensors(m, dtype)) {
                entries.add(e);
                stored += Tensors.numel(e.shape());
                if (!CONSTANTS.contains(e.name().substring(m.name().length() + 1))) {
                    long n = Tensors.numel(e.shape());
                    parameters += n;
                    // The optimizers keep moments per trained tensor, so the 8-bit rule applies tensor by tensor.
                    adamW += (long) AdamWOptimizer.STATE_BYTES_PER_FP32_VALUE * n;
                    adamW8bit += AdamW8bitOptimizer.stateBytes(n, AdamW8bitOptimizer.MIN_8BIT_SIZE);
                }
            }
        }
        return new AdapterEstimate(te, unet, parameters, stored, entries.size(), SafetensorsLayout.fileBytes(entries, Map.of()),
                dtype, adamW, adamW8bit);
    }

    /**
     * The tensors module {@code m} contributes to a trained file. A fresh Full adapter leaves its still-zero
     * {@code diff_b} out of its state dict; after training the file holds it exactly when the layer has a bias
     * (a bias-less layer never uses it, so it stays zero and stays out).
     */
    static List<SafetensorsLayout.Entry> trainedFileTensors(PlannedModule m, DType dtype) {
        List<SafetensorsLayout.Entry> out = new ArrayList<>();
        try (StepScope ignored = new StepScope()) {
            Adapter a = m.createAdapter();
            Map<String, Tensor> sd = a.stateDict();
            for (Map.Entry<String, Tensor> e : sd.entrySet()) {
                out.add(new SafetensorsLayout.Entry(m.name() + "." + e.getKey(), dtype, Tensors.shape(e.getValue())));
            }
            if (a.algorithm() == Algorithm.FULL && !sd.containsKey("diff_b") && m.layer().bias() != null) {
                out.add(new SafetensorsLayout.Entry(m.name() + ".diff_b", dtype, Tensors.shape(m.layer().bias())));
            }
            // The adapter is dropped here: release its tensors now rather than at some later garbage collection.
            for (Tensor t : a.parameters()) t.close();
        }
        return out;
    }
}
