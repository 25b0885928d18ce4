package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code torch.nn.LayerNorm} over the trailing {@code normalizedShape}; with {@code elementwiseAffine}
 * a weight (ones) and bias (zeros) of that shape, else neither.
 */
public class LayerNorm extends AdaptableLayer {
    private final LayerSpec.LayerNorm spec;

    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine, Placement placement) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("LayerNorm needs a normalized shape");
        for (long d : normalizedShape) Init.positive("LayerNorm normalized_shape entry", d);
        spec = new LayerSpec.LayerNorm(normalizedShape, eps);
        if (elementwiseAffine) {
            parameter("weight", Init.trainable(torch.ones(spec.weightShape(), placement.options())));
            parameter("bias", Init.trainable(torch.zeros(spec.weightShape(), placement.options())));
        } else {
            parameter("weight", null);
            parameter("bias", null);
        }
    }

    /** LayerNorm over the last dimension of size {@code dim}, eps 1e-5, affine: the common case. */
    public LayerNorm(long dim) {
        this(new long[] {dim}, 1e-5, true, Placement.cpu());
    }

    @Override public LayerSpec.LayerNorm spec() { return spec; }

    @Override public Tensor weight() { return tensor("weight"); }

    @Override public Tensor bias() { return tensor("bias"); }
}
