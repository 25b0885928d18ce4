package dev.lycoris4j.diffusion.load;

import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;

/**
 * Where one model tensor comes from in a checkpoint file of another layout: a key, optionally a
 * block of rows (OpenCLIP's fused q/k/v), transposed (OpenCLIP's text_projection) or flattened
 * from a 1×1 conv (LDM's VAE attention).
 */
record FileTensor(String key, int part, int parts, boolean transpose, boolean flatten) {

    static FileTensor of(String key) {
        return new FileTensor(key, 0, 1, false, false);
    }

    static FileTensor rows(String key, int part, int parts) {
        return new FileTensor(key, part, parts, false, false);
    }

    static FileTensor transposed(String key) {
        return new FileTensor(key, 0, 1, true, false);
    }

    static FileTensor flattened(String key) {
        return new FileTensor(key, 0, 1, false, true);
    }

    Tensor read(SafetensorsFile f) throws SafetensorsException {
        if (!f.contains(key)) throw new IllegalArgumentException(f.path() + ": missing tensor " + key);
        Tensor t = f.view(key);
        if (parts > 1) {
            long n = t.size(0) / parts;
            t = t.narrow(0, part * n, n);
        }
        if (transpose) t = t.t();
        if (flatten) t = t.reshape(t.size(0), t.size(1));
        return t;
    }
}
