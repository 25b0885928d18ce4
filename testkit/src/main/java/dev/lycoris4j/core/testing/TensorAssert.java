package dev.lycoris4j.core.testing;

import org.bytedeco.pytorch.Tensor;

import java.util.Arrays;

/** Element-wise closeness as the golden manifests define it: |actual − expected| ≤ abs + rel·|expected|. */
public final class TensorAssert {
    private TensorAssert() {}

    public static void assertClose(String what, Tensor actual, Tensor expected, double abs, double rel) {
        long[] as = actual.sizes().vec().get();
        long[] es = expected.sizes().vec().get();
        if (!Arrays.equals(as, es)) {
            throw new AssertionError(what + ": shape " + Arrays.toString(as) + ", expected " + Arrays.toString(es));
        }
        double[] a = toDoubles(actual);
        double[] e = toDoubles(expected);
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < a.length; i++) {
            double excess = Math.abs(a[i] - e[i]) - (abs + rel * Math.abs(e[i]));
            if (!(excess <= worst) || Double.isNaN(a[i]) != Double.isNaN(e[i])) {
                worst = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
                worstAt = i;
            }
        }
        if (worstAt >= 0) {
            throw new AssertionError(what + ": element " + worstAt + " is " + a[worstAt] + ", expected " + e[worstAt]
                    + " (tolerance abs " + abs + " + rel " + rel + "; max |diff| " + maxAbs(a, e) + ")");
        }
    }

    /** Row-major fp64 copy; testkit sits below core, so it cannot use core's Tensors. */
    public static double[] toDoubles(Tensor t) {
        Tensor c = t.detach().cpu().to(org.bytedeco.pytorch.global.torch.ScalarType.Double).contiguous();
        double[] out = new double[Math.toIntExact(c.numel())];
        c.data_ptr_double().get(out);
        return out;
    }

    private static double maxAbs(double[] a, double[] e) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - e[i]));
        return m;
    }
}
