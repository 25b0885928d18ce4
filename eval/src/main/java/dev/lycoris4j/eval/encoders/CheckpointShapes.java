package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;

/** Hyper-parameters read off tensor shapes, for single files that come without a config. */
final class CheckpointShapes {
    private CheckpointShapes() {}

    static long[] shape(SafetensorsFile f, String key) {
        if (!f.contains(key)) throw new IllegalArgumentException(f.path() + ": missing tensor " + key);
        try {
            return f.info(key).shape();
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static int dim(SafetensorsFile f, String key, int axis) {
        long[] s = shape(f, key);
        int a = axis < 0 ? s.length + axis : axis;
        if (a < 0 || a >= s.length) {
            throw new IllegalArgumentException(f.path() + ": " + key + " has shape " + java.util.Arrays.toString(s)
                    + ", expected at least " + (Math.abs(axis) + (axis < 0 ? 0 : 1)) + " dimensions");
        }
        return Math.toIntExact(s[a]);
    }

    /** How many blocks {@code prefix + i + suffix} exist for i = 0, 1, ... (stops at the first gap). */
    static int count(SafetensorsFile f, String prefix, String suffix) {
        int n = 0;
        while (f.contains(prefix + n + suffix)) n++;
        if (n == 0) throw new IllegalArgumentException(f.path() + ": no tensors " + prefix + "0" + suffix);
        return n;
    }

    /** Side of a square patch grid from a position table of 1 + g² rows. */
    static int grid(SafetensorsFile f, String key, int rowsAxis) {
        int positions = dim(f, key, rowsAxis);
        int g = (int) Math.round(Math.sqrt(positions - 1));
        if (g * g != positions - 1) {
            throw new IllegalArgumentException(f.path() + ": " + key + " has " + positions
                    + " positions, not 1 + a square grid");
        }
        return g;
    }

    /** Heads of a transformer of this width when no config says: the 64-wide heads of every released model. */
    static int headsFromWidth(SafetensorsFile f, int width, String configHint) {
        if (width % 64 != 0) {
            throw new IllegalArgumentException(f.path() + ": cannot infer the head count of a " + width
                    + "-wide transformer (not a multiple of 64); put " + configHint + " beside it");
        }
        return width / 64;
    }
}
