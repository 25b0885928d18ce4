package dev.lycoris4j.core.checkpoint;

import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;

/**
 * Where one model tensor comes from in a checkpoint of some layout: a key, optionally one block of
 * rows (fused q/k/v projections) and optionally transposed (OpenCLIP's x·P projections).
 */
public record TensorSource(String key, int part, int parts, boolean transpose) {

    public static TensorSource of(String key) {
        return new TensorSource(key, 0, 1, false);
    }

    public static TensorSource rows(String key, int part, int parts) {
        return new TensorSource(key, part, parts, false);
    }

    public static TensorSource transposed(String key) {
        return new TensorSource(key, 0, 1, true);
    }

    /**
     * The tensor shaped as the model wants it. Layouts disagree on unit dimensions (a class token is [D]
     * in CLIP and [1, 1, D] in DINOv2; LDM's VAE attention projections are [C, C, 1, 1] convs where
     * diffusers has [C, C] Linears), so those are dropped or added; any other shape difference is left for
     * the state-dict load to report.
     */
    public Tensor read(SafetensorsFile f, long[] modelShape) {
        if (!f.contains(key)) throw new IllegalArgumentException(f.path() + ": missing tensor " + key);
        Tensor t;
        try {
            t = f.view(key);
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (parts > 1) {
            if (t.size(0) % parts != 0) {
                throw new IllegalArgumentException(f.path() + ": " + key + " " + Tensors.shapeString(t)
                        + " does not split into " + parts + " row blocks");
            }
            long n = t.size(0) / parts;
            t = t.narrow(0, part * n, n);
        }
        if (transpose) t = t.t();
        long[] shape = Tensors.shape(t);
        if (!Arrays.equals(shape, modelShape) && Arrays.equals(withoutOnes(shape), withoutOnes(modelShape))) {
            t = t.reshape(modelShape);
        }
        return t;
    }

    private static long[] withoutOnes(long[] shape) {
        return Arrays.stream(shape).filter(d -> d != 1).toArray();
    }
}
