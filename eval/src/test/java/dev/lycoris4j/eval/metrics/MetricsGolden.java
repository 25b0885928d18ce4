package dev.lycoris4j.eval.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.TensorInfo;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.testing.Golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden case d_metrics: metrics_golden.json and the inputs in metrics_io.safetensors. */
final class MetricsGolden {
    /** manifest d_metrics tolerance "float64_metrics_abs". */
    static final double FLOAT64_ABS = 1e-10;
    /** manifest d_metrics tolerance "vendi_rel". */
    static final double VENDI_REL = 1e-9;
    /** manifest d_metrics tolerance for float32 metrics (text similarity, style losses, allpair_msd). */
    static final double FLOAT32_ABS = 1e-5;
    static final double FLOAT32_REL = 1e-5;

    private static JsonNode json;

    private MetricsGolden() {}

    static synchronized JsonNode json() {
        if (json == null) {
            try {
                json = new ObjectMapper().readTree(Golden.path("eval/metrics_golden.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return json;
    }

    static SafetensorsFile open() throws IOException {
        return SafetensorsFile.open(Golden.path("eval/metrics_io.safetensors"));
    }

    /** A 2-D F64 or F32 tensor of metrics_io as a float64 matrix (F32 widened exactly). */
    static DenseMatrix matrix(SafetensorsFile file, String name) throws IOException {
        TensorInfo info = file.info(name);
        long[] shape = info.shape();
        assertThat(shape).as(name + " rank").hasSize(2);
        MemorySegment bytes = file.bytes(name);
        double[] values;
        if (info.dtype() == DType.F64) {
            values = bytes.toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        } else if (info.dtype() == DType.F32) {
            float[] f = bytes.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
            values = new double[f.length];
            for (int i = 0; i < f.length; i++) values[i] = f[i];
        } else {
            throw new IllegalStateException(name + " has dtype " + info.dtype());
        }
        return new DenseMatrix((int) shape[0], (int) shape[1], values);
    }

    /** |actual - expected| <= abs + rel * |expected|, the manifest's tolerance semantics. */
    static void assertClose(double actual, double expected, double abs, double rel, String what) {
        assertThat(Math.abs(actual - expected)).as(what + ": got " + actual + ", expected " + expected)
                .isLessThanOrEqualTo(abs + rel * Math.abs(expected));
    }
}
