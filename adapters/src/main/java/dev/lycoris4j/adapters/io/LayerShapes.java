package dev.lycoris4j.adapters.io;

import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;
import java.util.Map;

/**
 * The layer an adapter module was made for, read back from its tensor shapes alone (spec §3), for when no
 * model is at hand ({@code lycoris inspect}). One function per algorithm's key layout. What a file cannot
 * tell is documented where it happens; none of it changes rank, alpha, scale or factor:
 * <ul>
 *   <li>LoHa and LoKr convs without Tucker store the kernel flattened into the input axis, so they read as
 *       a Linear layer with {@code in·k…} inputs;</li>
 *   <li>Diag-OFT, BOFT and (IA)³ never store the other side of the layer, so it is taken equal to the side
 *       they store (their math acts on that side only);</li>
 *   <li>norm layers read as a LayerNorm (a GroupNorm's weight has the same shape).</li>
 * </ul>
 * Geometry a file never records (stride, padding, groups) is left at its neutral value.
 */
public final class LayerShapes {
    private LayerShapes() {}

    /** @throws IllegalArgumentException naming the module when a tensor the layout needs is missing */
    public static LayerSpec infer(AdapterModule module) {
        Map<String, Tensor> t = module.tensors();
        return switch (module.algorithm()) {
            case LORA, DYLORA -> lora(module, t);
            case LOHA -> loha(module, t);
            case LOKR -> lokr(module, t);
            case GLORA -> layer(dim(module, t, "a1.weight", 0), dim(module, t, "b1.weight", 0),
                    kernel(shape(module, t, "b2.weight")));
            case FULL -> ofWeightShape(shape(module, t, "diff"));
            case NORM -> new LayerSpec.LayerNorm(shape(module, t, "w_norm"), 1e-5);
            case DIAG_OFT -> rotation(module, t, dim(module, t, "oft_blocks", 0) * dim(module, t, "oft_blocks", 1));
            case BOFT -> rotation(module, t, dim(module, t, "oft_blocks", 1) * dim(module, t, "oft_blocks", 2));
            case IA3 -> ia3(module, t);
            case KRONA -> krona(module, t);
        };
    }

    /** {@code lora_down (r, in[, k…])}, {@code lora_up (out, r[, 1…])}, Tucker {@code lora_mid (r, r, k…)}. */
    private static LayerSpec lora(AdapterModule m, Map<String, Tensor> t) {
        long[] down = shape(m, t, "lora_down.weight");
        long[] kernel = t.containsKey("lora_mid.weight") ? kernel(shape(m, t, "lora_mid.weight")) : kernel(down);
        return layer(down[1], dim(m, t, "lora_up.weight", 0), kernel);
    }

    /** {@code hada_w1_a (out, r)}, {@code hada_w1_b (r, in·k…)}; Tucker: {@code hada_t1 (r, r, k…)}, {@code hada_w1_a (r, out)}, {@code hada_w1_b (r, in)}. */
    private static LayerSpec loha(AdapterModule m, Map<String, Tensor> t) {
        if (t.containsKey("hada_t1")) {
            return layer(dim(m, t, "hada_w1_b", 1), dim(m, t, "hada_w1_a", 1), kernel(shape(m, t, "hada_t1")));
        }
        return layer(dim(m, t, "hada_w1_b", 1), dim(m, t, "hada_w1_a", 0), new long[0]);
    }

    /**
     * {@code ΔW = w1 ⊗ w2}: w1 {@code (out_l, in_m)} full or as {@code lokr_w1_a (out_l, r)}·{@code lokr_w1_b (r, in_m)};
     * w2 {@code (out_k, in_n[, k…])} full, as {@code lokr_w2_a (out_k, r)}·{@code lokr_w2_b (r, in_n·k…)}, or Tucker
     * {@code lokr_t2 (r, r, k…)} with {@code lokr_w2_a (r, out_k)}, {@code lokr_w2_b (r, in_n)}.
     */
    private static LayerSpec lokr(AdapterModule m, Map<String, Tensor> t) {
        boolean w1Full = t.containsKey("lokr_w1");
        long outL = w1Full ? dim(m, t, "lokr_w1", 0) : dim(m, t, "lokr_w1_a", 0);
        long inM = w1Full ? dim(m, t, "lokr_w1", 1) : dim(m, t, "lokr_w1_b", 1);
        if (t.containsKey("lokr_w2")) {
            long[] w2 = shape(m, t, "lokr_w2");
            return layer(inM * w2[1], outL * w2[0], kernel(w2));
        }
        if (t.containsKey("lokr_t2")) {
            return layer(inM * dim(m, t, "lokr_w2_b", 1), outL * dim(m, t, "lokr_w2_a", 1),
                    kernel(shape(m, t, "lokr_t2")));
        }
        return layer(inM * dim(m, t, "lokr_w2_b", 1), outL * dim(m, t, "lokr_w2_a", 0), new long[0]);
    }

    /** Rotations act on the {@code out} rows; a stored {@code rescale (out, 1, 1…)} shows a conv. */
    private static LayerSpec rotation(AdapterModule m, Map<String, Tensor> t, long out) {
        int kernelDims = t.containsKey("rescale") ? shape(m, t, "rescale").length - 2 : 0;
        return layer(out, out, ones(Math.max(0, kernelDims)));
    }

    /** {@code weight (d,)} for Linear, {@code (1, d, 1…)} for a conv; d is the input or output side. */
    private static LayerSpec ia3(AdapterModule m, Map<String, Tensor> t) {
        long[] w = shape(m, t, "weight");
        long d = w.length == 1 ? w[0] : w[1];
        return layer(d, d, ones(Math.max(0, w.length - 2)));
    }

    /** DiffuseKronA (Linear only): {@code krona_a (a1, a2)}, {@code krona_b (out/a1, in/a2)}. */
    private static LayerSpec krona(AdapterModule m, Map<String, Tensor> t) {
        long[] a = shape(m, t, "krona_a");
        long[] b = shape(m, t, "krona_b");
        return layer(a[1] * b[1], a[0] * b[0], new long[0]);
    }

    /**
     * The layer a stored weight of this shape belongs to: 1-D a norm (read as LayerNorm), 2-D Linear, more
     * a ConvNd. What merges use, where the checkpoint's weight shape is known exactly.
     */
    public static LayerSpec ofWeightShape(long[] shape) {
        return switch (shape.length) {
            case 0 -> throw new IllegalArgumentException("a 0-d weight belongs to no adaptable layer");
            case 1 -> new LayerSpec.LayerNorm(shape, 1e-5);
            case 2 -> new LayerSpec.Linear(shape[1], shape[0]);
            default -> LayerSpec.Conv.ofWeightShape(shape);
        };
    }

    private static LayerSpec layer(long in, long out, long[] kernel) {
        if (kernel.length == 0) return new LayerSpec.Linear(in, out);
        long[] s = new long[2 + kernel.length];
        s[0] = out;
        s[1] = in;
        System.arraycopy(kernel, 0, s, 2, kernel.length);
        return LayerSpec.Conv.ofWeightShape(s);
    }

    /** The trailing (kernel) axes of a weight-like shape {@code (a, b, k…)}. */
    private static long[] kernel(long[] shape) {
        return shape.length <= 2 ? new long[0] : Arrays.copyOfRange(shape, 2, shape.length);
    }

    private static long[] ones(int n) {
        long[] k = new long[n];
        Arrays.fill(k, 1);
        return k;
    }

    private static long dim(AdapterModule m, Map<String, Tensor> t, String key, int axis) {
        long[] s = shape(m, t, key);
        if (axis >= s.length) {
            throw new IllegalArgumentException("module " + m.name() + ": " + key + " has shape "
                    + Arrays.toString(s) + ", expected at least " + (axis + 1) + " dimensions");
        }
        return s[axis];
    }

    private static long[] shape(AdapterModule m, Map<String, Tensor> t, String key) {
        Tensor tensor = t.get(key);
        if (tensor == null) {
            throw new IllegalArgumentException("module " + m.name() + " (" + m.algorithm().id() + ") has no " + key
                    + "; its keys are " + t.keySet());
        }
        return Tensors.shape(tensor);
    }
}
