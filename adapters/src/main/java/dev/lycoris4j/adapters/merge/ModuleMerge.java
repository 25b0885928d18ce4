package dev.lycoris4j.adapters.merge;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterChain;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.io.Messages;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;


/**
 * The adapters stacked on one checkpoint module and their merged result, computed once, when the writer first
 * reaches the module's weight or bias, and dropped as soon as both are written: only one module's tensors are
 * in memory at a time. A failure is recorded, not thrown, so the module's tensors are written unchanged and
 * the other modules still merge.
 */
final class ModuleMerge {
    /** Merges compute in fp32 whatever the checkpoint stores (fp16/bf16 upcast exactly, cast back at the end). */
    private static final DType COMPUTE = DType.F32;

    final String weightKey;
    final String biasKey;
    private final AdapterChain chain = new AdapterChain();
    private boolean computed;
    private Tensor weight;
    private Tensor bias;
    private String failure;

    /** @param biasKey the module's bias tensor, or null when the checkpoint has none */
    ModuleMerge(String weightKey, String biasKey) {
        this.weightKey = weightKey;
        this.biasKey = biasKey;
    }

    void add(Adapter adapter, double scale) {
        chain.add(adapter, scale);
    }

    /** Why the merge failed, or null. */
    String failure() {
        return failure;
    }

    /**
     * The merged tensor for {@code key} (this module's weight or bias) in its output dtype (see
     * {@link Merger#outputDtype}), or null when the key keeps its stored value: the bias when no adapter
     * changes it, or anything after a failure. The caller owns the tensor and closes it after writing.
     */
    Tensor take(SafetensorsFile file, String key, DType requestedDtype) {
        if (!computed) compute(file, requestedDtype);
        Tensor out;
        if (key.equals(weightKey)) {
            out = weight;
            weight = null;
        } else {
            out = bias;
            bias = null;
        }
        return out;
    }

    private void compute(SafetensorsFile file, DType requestedDtype) {
        computed = true;
        try (StepScope step = new StepScope()) {
            DType weightDtype = Merger.outputDtype(file.info(weightKey), requestedDtype);
            Tensor w = file.load(weightKey, COMPUTE);
            Tensor b = biasKey == null ? null : file.load(biasKey, COMPUTE);
            WeightPair merged = chain.mergedWeights(w, b);
            weight = StepScope.keep(Tensors.to(merged.weight(), weightDtype).contiguous());
            // Only algorithms that train the bias (Full, Norm) change it; an unchanged bias stays byte-identical.
            if (b != null && merged.bias() != null && !merged.bias().equal(b)) {
                DType biasDtype = Merger.outputDtype(file.info(biasKey), requestedDtype);
                bias = StepScope.keep(Tensors.to(merged.bias(), biasDtype).contiguous());
            }
        } catch (RuntimeException | SafetensorsException e) {
            failure = Messages.firstLine(e.getMessage());
            weight = null;
            bias = null;
        }
    }
}
