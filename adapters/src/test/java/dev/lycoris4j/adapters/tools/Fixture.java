package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Small seeded checkpoints and adapters for the tools' tests. */
final class Fixture {
    private Fixture() {}

    /** A fp32 tensor of N(0, std²) values from {@code rng}. */
    static Tensor random(Random rng, double std, long... shape) {
        float[] v = new float[Math.toIntExact(Tensors.numel(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
        return Tensors.fromFloats(v, shape);
    }

    static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        SafetensorsWriter.write(file, tensors, null);
    }

    /** Every tensor of a safetensors file, as stored. */
    static Map<String, Tensor> read(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return new LinkedHashMap<>(f.loadAll());
        }
    }

    /** {@code t} flattened to rows × (everything else), as doubles. */
    static double[] matrix(Tensor t) {
        return Tensors.toDoubles(t);
    }

    static int cols(Tensor t) {
        return (int) (t.numel() / t.size(0));
    }
}
