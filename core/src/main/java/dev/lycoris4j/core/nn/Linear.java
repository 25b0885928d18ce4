package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.Tensor;

/** {@code torch.nn.Linear}: y = x·Wᵀ + b, W of shape (out, in). */
public class Linear extends AdaptableLayer {
    private final LayerSpec.Linear spec;

    public Linear(long in, long out, boolean bias) {
        this(in, out, bias, Placement.cpu());
    }

    public Linear(long in, long out, boolean bias, Placement placement) {
        spec = new LayerSpec.Linear(Init.positive("Linear in_features", in), Init.positive("Linear out_features", out));
        Tensor w = placement.empty(spec.weightShape());
        Tensor b = bias ? placement.empty(out) : null;
        Init.kaimingUniform(w, b, in);
        parameter("weight", Init.trainable(w));
        parameter("bias", Init.trainable(b));
    }

    @Override public LayerSpec.Linear spec() { return spec; }

    @Override public Tensor weight() { return tensor("weight"); }

    @Override public Tensor bias() { return tensor("bias"); }

    public long inFeatures() { return spec.in(); }

    public long outFeatures() { return spec.out(); }
}
