package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.nn.NoGrad;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;

/** Layers, inputs and randomised adapters for the module tests. */
final class Fixtures {
    private Fixtures() {}

    static LayerSpec.Linear linear(long in, long out) {
        return new LayerSpec.Linear(in, out);
    }

    static LayerSpec.Conv conv2d(long in, long out, long k, long stride, long padding, long dilation) {
        return new LayerSpec.Conv(in, out, new long[] {k, k}, new long[] {stride, stride},
                new long[] {padding, padding}, new long[] {dilation, dilation}, 1);
    }

    static LayerSpec.Conv conv(long in, long out, long[] k, long stride, long padding) {
        long[] s = new long[k.length], p = new long[k.length], d = new long[k.length];
        Arrays.fill(s, stride);
        Arrays.fill(p, padding);
        Arrays.fill(d, 1);
        return new LayerSpec.Conv(in, out, k, s, p, d, 1);
    }

    static Tensor randn(long... shape) {
        return torch.randn(shape);
    }

    /** A batch of inputs for the layer: Linear (2, 3, in), Conv (2, in, 7, …). */
    static Tensor input(LayerSpec layer) {
        if (layer instanceof LayerSpec.Conv c) {
            long[] s = new long[2 + c.dims()];
            Arrays.fill(s, 7);
            s[0] = 2;
            s[1] = c.in();
            return randn(s);
        }
        return randn(2, 3, ((LayerSpec.Linear) layer).in());
    }

    static AdapterConfig.Builder config(Algorithm a, int dim, double alpha) {
        return AdapterConfig.builder(a, dim, alpha);
    }

    /** A new adapter whose every parameter is then drawn at random, so ΔW ≠ 0 (a DoRA magnitude stays positive). */
    static Adapter randomized(String name, LayerSpec layer, AdapterConfig c, Tensor weight) {
        Adapter a = AdapterFormats.create(name, layer, c, weight);
        Tensor dora = a.stateDict().get("dora_scale");
        try (NoGrad ignored = new NoGrad()) {
            for (Tensor p : a.parameters()) {
                boolean isDora = dora != null && p.data_ptr().address() == dora.data_ptr().address();
                if (isDora) p.mul_(torch.rand(p.sizes().vec().get()).add(new Scalar(0.5)));
                else p.normal_(0, 0.4, new GeneratorOptional());
            }
        }
        return a;
    }
}
