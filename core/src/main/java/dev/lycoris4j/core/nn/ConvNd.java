package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;

/**
 * {@code torch.nn.Conv1d/2d/3d} in one class: the rank is the kernel's length, and {@link #typeName()}
 * says "Conv1d", "Conv2d" or "Conv3d" as PyTorch's class name does. Zero padding only, as SD uses.
 */
public class ConvNd extends AdaptableLayer {
    private final LayerSpec.Conv spec;

    /** A conv with a cubic kernel and equal stride and padding on every axis, dilation 1, one group. */
    public ConvNd(int rank, long in, long out, long kernel, long stride, long padding, boolean bias, Placement placement) {
        this(new LayerSpec.Conv(in, out, filled(rank, kernel), filled(rank, stride), filled(rank, padding),
                filled(rank, 1), 1), bias, placement);
    }

    public ConvNd(LayerSpec.Conv spec, boolean bias) {
        this(spec, bias, Placement.cpu());
    }

    public ConvNd(LayerSpec.Conv spec, boolean bias, Placement placement) {
        check(spec);
        this.spec = spec;
        Tensor w = placement.empty(spec.weightShape());
        Tensor b = bias ? placement.empty(spec.out()) : null;
        Init.kaimingUniform(w, b, spec.in() / spec.groups() * spec.kernelArea());
        parameter("weight", Init.trainable(w));
        parameter("bias", Init.trainable(b));
    }

    private static void check(LayerSpec.Conv spec) {
        Init.positive("conv in_channels", spec.in());
        Init.positive("conv out_channels", spec.out());
        Init.positive("conv groups", spec.groups());
        if (spec.in() % spec.groups() != 0 || spec.out() % spec.groups() != 0) {
            throw new IllegalArgumentException(spec + ": in and out channels must be divisible by groups");
        }
        for (int i = 0; i < spec.dims(); i++) {
            if (spec.kernel()[i] <= 0 || spec.stride()[i] <= 0 || spec.dilation()[i] <= 0 || spec.padding()[i] < 0) {
                throw new IllegalArgumentException(spec + ": kernel, stride and dilation must be positive, padding >= 0");
            }
        }
    }

    private static long[] filled(int rank, long value) {
        if (rank < 1 || rank > 3) throw new IllegalArgumentException("conv rank must be 1, 2 or 3, got " + rank);
        long[] a = new long[rank];
        Arrays.fill(a, value);
        return a;
    }

    @Override public String typeName() { return "Conv" + spec.dims() + "d"; }

    @Override public LayerSpec.Conv spec() { return spec; }

    @Override public Tensor weight() { return tensor("weight"); }

    @Override public Tensor bias() { return tensor("bias"); }
}
