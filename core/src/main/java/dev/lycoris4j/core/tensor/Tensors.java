package dev.lycoris4j.core.tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;

/** Small conveniences over libtorch tensors: shapes, Java-array round trips, dtype moves. */
public final class Tensors {
    private Tensors() {}

    public static long[] shape(Tensor t) {
        return t.sizes().vec().get();
    }

    public static String shapeString(long[] shape) {
        return Arrays.toString(shape);
    }

    public static String shapeString(Tensor t) {
        return shapeString(shape(t));
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public static DType dtype(Tensor t) {
        return DType.of(t.scalar_type());
    }

    public static TensorOptions options(DType dtype) {
        return new TensorOptions(dtype.scalarType());
    }

    /** A new fp32 CPU tensor holding a copy of {@code values}. */
    public static Tensor fromFloats(float[] values, long... shape) {
        if (numel(shape) != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + shapeString(shape));
        }
        try (FloatPointer p = new FloatPointer(values)) {
            return torch.from_blob(p, shape, options(DType.F32)).clone();
        }
    }

    /** A new fp64 CPU tensor holding a copy of {@code values}. */
    public static Tensor fromDoubles(double[] values, long... shape) {
        if (numel(shape) != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + shapeString(shape));
        }
        try (DoublePointer p = new DoublePointer(values)) {
            return torch.from_blob(p, shape, options(DType.F64)).clone();
        }
    }

    /** A new int64 CPU tensor holding a copy of {@code values}. */
    public static Tensor fromLongs(long[] values, long... shape) {
        if (numel(shape) != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + shapeString(shape));
        }
        try (LongPointer p = new LongPointer(values)) {
            return torch.from_blob(p, shape, options(DType.I64)).clone();
        }
    }

    /** All elements as fp32, in row-major order (copies; any dtype or device). */
    public static float[] toFloats(Tensor t) {
        Tensor c = t.detach().cpu().to(ScalarType.Float).contiguous();
        float[] out = new float[Math.toIntExact(c.numel())];
        c.data_ptr_float().get(out);
        return out;
    }

    /** All elements as fp64, in row-major order (copies; any dtype or device). */
    public static double[] toDoubles(Tensor t) {
        Tensor c = t.detach().cpu().to(ScalarType.Double).contiguous();
        double[] out = new double[Math.toIntExact(c.numel())];
        c.data_ptr_double().get(out);
        return out;
    }

    /** All elements as int64, in row-major order (copies; any integer or float dtype). */
    public static long[] toLongs(Tensor t) {
        Tensor c = t.detach().cpu().to(ScalarType.Long).contiguous();
        long[] out = new long[Math.toIntExact(c.numel())];
        c.data_ptr_long().get(out);
        return out;
    }

    public static Tensor scalar(double v) {
        return torch.scalar_tensor(new Scalar(v));
    }

    public static Tensor to(Tensor t, DType dtype) {
        return t.scalar_type() == dtype.scalarType() ? t : t.to(dtype.scalarType());
    }

    /** Largest |a - b| over all elements, computed in fp64. */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        return a.to(ScalarType.Double).sub(b.to(ScalarType.Double)).abs().max().item_double();
    }

    private static final class ScalarType {
        static final torch.ScalarType Float = torch.ScalarType.Float;
        static final torch.ScalarType Double = torch.ScalarType.Double;
        static final torch.ScalarType Long = torch.ScalarType.Long;
    }
}
