package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;

/**
 * What a weight-bearing layer computes, apart from its tensors: the op and its geometry.
 * Adapters reuse it to run the layer with a changed weight (merged mode) or to run their own
 * factors with the layer's conv geometry (bypass mode).
 */
public sealed interface LayerSpec {

    /** Shape of the layer's weight tensor, as PyTorch stores it. */
    long[] weightShape();

    /** Runs the op on {@code x} with the given weight and bias ({@code bias} may be null). */
    Tensor apply(Tensor x, Tensor weight, Tensor bias);

    /** y = x·Wᵀ + b with W of shape (out, in). */
    record Linear(long in, long out) implements LayerSpec {
        public long[] weightShape() { return new long[] {out, in}; }

        public Tensor apply(Tensor x, Tensor weight, Tensor bias) {
            return torch.linear(x, weight, optional(bias));
        }
    }

    /** ConvNd (N = kernel.length, 1 to 3) with zero padding; W of shape (out, in/groups, *kernel). */
    record Conv(long in, long out, long[] kernel, long[] stride, long[] padding, long[] dilation, long groups)
            implements LayerSpec {
        public Conv {
            int n = kernel.length;
            if (n < 1 || n > 3 || stride.length != n || padding.length != n || dilation.length != n) {
                throw new IllegalArgumentException("conv geometry must have 1 to 3 dims, all of one length: kernel "
                        + Arrays.toString(kernel) + " stride " + Arrays.toString(stride) + " padding "
                        + Arrays.toString(padding) + " dilation " + Arrays.toString(dilation));
            }
            kernel = kernel.clone();
            stride = stride.clone();
            padding = padding.clone();
            dilation = dilation.clone();
        }

        /** A conv with stride 1, no padding, dilation 1 and one group: enough to describe a weight shape. */
        public static Conv ofWeightShape(long[] shape) {
            long[] k = Arrays.copyOfRange(shape, 2, shape.length);
            long[] ones = new long[k.length];
            Arrays.fill(ones, 1);
            return new Conv(shape[1], shape[0], k, ones, new long[k.length], ones, 1);
        }

        public int dims() { return kernel.length; }

        public long kernelArea() {
            long a = 1;
            for (long k : kernel) a *= k;
            return a;
        }

        public boolean isPointwise() {
            for (long k : kernel) if (k != 1) return false;
            return true;
        }

        public long[] weightShape() {
            long[] s = new long[2 + kernel.length];
            s[0] = out;
            s[1] = in / groups;
            System.arraycopy(kernel, 0, s, 2, kernel.length);
            return s;
        }

        public Tensor apply(Tensor x, Tensor weight, Tensor bias) {
            return convolve(x, weight, bias, stride, padding, dilation, groups);
        }

        /** Same geometry with another kernel: adapters run 1×1 factors without the layer's stride/padding. */
        public Conv withKernel(long in, long out, long[] kernel, boolean keepStrideAndPadding) {
            long[] ones = new long[kernel.length];
            Arrays.fill(ones, 1);
            return keepStrideAndPadding
                    ? new Conv(in, out, kernel, stride, padding, dilation, 1)
                    : new Conv(in, out, kernel, ones, new long[kernel.length], ones, 1);
        }

        @Override public boolean equals(Object o) {
            return o instanceof Conv c && in == c.in && out == c.out && groups == c.groups
                    && Arrays.equals(kernel, c.kernel) && Arrays.equals(stride, c.stride)
                    && Arrays.equals(padding, c.padding) && Arrays.equals(dilation, c.dilation);
        }

        @Override public int hashCode() {
            return Long.hashCode(in) * 31 + Long.hashCode(out) * 17 + Arrays.hashCode(kernel);
        }

        @Override public String toString() {
            return "Conv" + kernel.length + "d(" + in + "→" + out + ", k=" + Arrays.toString(kernel)
                    + ", s=" + Arrays.toString(stride) + ", p=" + Arrays.toString(padding)
                    + ", d=" + Arrays.toString(dilation) + ", g=" + groups + ")";
        }
    }

    /** LayerNorm over the trailing {@code normalizedShape}, with affine weight and bias of that shape. */
    record LayerNorm(long[] normalizedShape, double eps) implements LayerSpec {
        public LayerNorm {
            normalizedShape = normalizedShape.clone();
        }

        public long[] weightShape() { return normalizedShape.clone(); }

        public Tensor apply(Tensor x, Tensor weight, Tensor bias) {
            return torch.layer_norm(x, normalizedShape, optional(weight), optional(bias), eps, false);
        }

        @Override public boolean equals(Object o) {
            return o instanceof LayerNorm l && eps == l.eps && Arrays.equals(normalizedShape, l.normalizedShape);
        }

        @Override public int hashCode() { return Arrays.hashCode(normalizedShape); }

        @Override public String toString() {
            return "LayerNorm(" + Arrays.toString(normalizedShape) + ", eps=" + eps + ")";
        }
    }

    /** GroupNorm of {@code channels} channels in {@code groups} groups, affine per channel. */
    record GroupNorm(long groups, long channels, double eps) implements LayerSpec {
        public long[] weightShape() { return new long[] {channels}; }

        public Tensor apply(Tensor x, Tensor weight, Tensor bias) {
            return torch.group_norm(x, groups, optional(weight), optional(bias), eps, false);
        }
    }

    static TensorOptional optional(Tensor t) {
        return t == null ? new TensorOptional() : new TensorOptional(t);
    }

    /** ConvNd by the kernel's rank, so callers never branch on dimensionality. */
    static Tensor convolve(Tensor x, Tensor weight, Tensor bias, long[] stride, long[] padding, long[] dilation,
                           long groups) {
        TensorOptional b = optional(bias);
        return switch (stride.length) {
            case 1 -> torch.conv1d(x, weight, b, stride, padding, dilation, groups);
            case 2 -> torch.conv2d(x, weight, b, stride, padding, dilation, groups);
            case 3 -> torch.conv3d(x, weight, b, stride, padding, dilation, groups);
            default -> throw new IllegalArgumentException("conv of rank " + stride.length);
        };
    }
}
