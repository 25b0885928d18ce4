package dev.lycoris4j.adapters;

import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Tensor;

import java.util.List;
import java.util.Map;

/**
 * One adapter attached to one layer: the thin stateful shell around an algorithm's pure math
 * (package {@code functional}). It never owns the layer's weights: every method takes the stored
 * weight and bias, so stacked adapters each compute against the stored weight and their deltas add,
 * as stacked wrappers do in the reference.
 *
 * <p>Two forwards exist. The merged forward runs the layer with {@link #mergedWeights}; it is what
 * LyCORIS' default forward computes and what merging writes into a checkpoint. The bypass forward
 * computes the adapter's contribution from activations without materialising ΔW; where the
 * algorithm is linear in ΔW the two agree.
 */
public interface Adapter {

    /** The module name as files store it, e.g. {@code lora_unet_down_blocks_0_..._to_q}. */
    String name();

    Algorithm algorithm();

    /** The adapted layer's op and geometry. */
    LayerSpec layer();

    /** Tensors as the file stores them: suffix ({@code lora_down.weight}, {@code alpha}) → tensor, in the reference's state-dict order. */
    Map<String, Tensor> stateDict();

    /** The trainable tensors. */
    List<Tensor> parameters();

    /** Hyper-parameters for display and JSON (rank, alpha, scale, factor, ...), in a stable order. */
    Map<String, Object> hyperParameters();

    /** Weight and bias that the merged forward uses at {@code multiplier}, from the stored ones. */
    WeightPair mergedWeights(Tensor weight, Tensor bias, double multiplier);

    /** Output of the merged forward. */
    default Tensor forward(Tensor x, Tensor weight, Tensor bias, double multiplier) {
        WeightPair merged = mergedWeights(weight, bias, multiplier);
        return layer().apply(x, merged.weight(), merged.bias());
    }

    /** Whether {@link #bypassForward} exists for this algorithm (Full has none). */
    boolean hasBypass();

    /**
     * Bypass output given the layer input {@code x} and the output computed so far without this
     * adapter ({@code inner}: the base layer, or the adapters below this one in a stack).
     */
    Tensor bypassForward(Tensor x, Tensor inner, Tensor weight, Tensor bias, double multiplier);

    /** Training switches dropouts on; they never act outside training. */
    void setTraining(boolean training);
}
