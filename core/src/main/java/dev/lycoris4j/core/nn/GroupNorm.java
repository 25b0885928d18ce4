package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** {@code torch.nn.GroupNorm}: {@code channels} split into {@code groups}; affine weight (ones) and bias (zeros). */
public class GroupNorm extends AdaptableLayer {
    private final LayerSpec.GroupNorm spec;

    public GroupNorm(long groups, long channels, double eps, boolean affine, Placement placement) {
        Init.positive("GroupNorm num_groups", groups);
        Init.positive("GroupNorm num_channels", channels);
        if (channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + channels + " channels do not split into " + groups + " groups");
        }
        spec = new LayerSpec.GroupNorm(groups, channels, eps);
        if (affine) {
            parameter("weight", Init.trainable(torch.ones(spec.weightShape(), placement.options())));
            parameter("bias", Init.trainable(torch.zeros(spec.weightShape(), placement.options())));
        } else {
            parameter("weight", null);
            parameter("bias", null);
        }
    }

    public GroupNorm(long groups, long channels, double eps) {
        this(groups, channels, eps, true, Placement.cpu());
    }

    @Override public LayerSpec.GroupNorm spec() { return spec; }

    @Override public Tensor weight() { return tensor("weight"); }

    @Override public Tensor bias() { return tensor("bias"); }
}
