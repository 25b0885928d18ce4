package dev.lycoris4j.eval.image;

import java.util.Arrays;

/**
 * A port of Pillow's {@code ImagingResample} for 8-bit RGB images (libImaging/Resample.c, Pillow 9.4;
 * unchanged through 10.x): what {@code Image.resize(size, filter)} computes.
 *
 * <p>Bit-exactness matters because every evaluation feature is computed from these pixels, and no
 * other Java resizer matches Pillow. The algorithm: separable passes, horizontal first into an 8-bit
 * intermediate image (only the rows the vertical pass reads), then vertical; a pass is skipped when
 * its dimension is unchanged. Kernel weights are computed in double, normalised to sum 1, converted
 * to fixed point with {@link #PRECISION_BITS} fractional bits (rounded half away from zero), and each
 * output sample is the integer dot product plus one half, shifted down and clamped to 0..255.
 */
public final class PillowResampler {
    /** 8 bits for the result and 2 for the overshoot of kernels with negative lobes, out of 32. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PillowResampler() {}

    public static RgbImage resize(RgbImage image, int width, int height, ResampleFilter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        boolean needHorizontal = width != image.width();
        boolean needVertical = height != image.height();
        if (!needHorizontal && !needVertical) return image;

        Coefficients vertical = Coefficients.compute(image.height(), height, filter);
        RgbImage source = image;
        int firstSourceRow = 0;
        if (needHorizontal) {
            // Only rows that some vertical tap reads are resampled horizontally.
            firstSourceRow = vertical.firstIndex();
            int rows = vertical.endIndex() - firstSourceRow;
            source = horizontalPass(image, Coefficients.compute(image.width(), width, filter), firstSourceRow, rows);
        }
        return needVertical ? verticalPass(source, vertical, firstSourceRow) : source;
    }

    /**
     * Per output position: the first input index, the number of taps, and {@code kernelSize} fixed-point
     * weights (unused tail zero). Mirrors {@code precompute_coeffs} + {@code normalize_coeffs_8bpc}.
     */
    private record Coefficients(int kernelSize, int[] firstInput, int[] taps, int[] weights) {

        static Coefficients compute(int inSize, int outSize, ResampleFilter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support() * filterScale;
            int kernelSize = (int) Math.ceil(support) * 2 + 1;
            int[] firstInput = new int[outSize];
            int[] taps = new int[outSize];
            int[] weights = new int[Math.multiplyExact(outSize, kernelSize)];
            double[] raw = new double[kernelSize];
            double inverseFilterScale = 1.0 / filterScale;
            for (int out = 0; out < outSize; out++) {
                double center = (out + 0.5) * scale;
                // (int) truncates toward zero like the C cast; the sums are rounded by the + 0.5.
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize);
                int count = max - min;
                double total = 0.0;
                for (int x = 0; x < count; x++) {
                    double w = filter.weight((x + min - center + 0.5) * inverseFilterScale);
                    raw[x] = w;
                    total += w;
                }
                for (int x = 0; x < count; x++) {
                    double normalised = total != 0.0 ? raw[x] / total : raw[x];
                    weights[out * kernelSize + x] = toFixedPoint(normalised);
                }
                firstInput[out] = min;
                taps[out] = count;
            }
            return new Coefficients(kernelSize, firstInput, taps, weights);
        }

        /** Rounds half away from zero, as {@code (int)(x * 2^22 ± 0.5)} in C. */
        private static int toFixedPoint(double weight) {
            double scaled = weight * (1 << PRECISION_BITS);
            return (int) (weight < 0 ? scaled - 0.5 : scaled + 0.5);
        }

        int firstIndex() {
            return firstInput[0];
        }

        int endIndex() {
            int last = firstInput.length - 1;
            return firstInput[last] + taps[last];
        }
    }

    /** Resamples rows {@code firstRow .. firstRow + rows - 1} of {@code in} to {@code c.taps.length} columns. */
    private static RgbImage horizontalPass(RgbImage in, Coefficients c, int firstRow, int rows) {
        int outWidth = c.taps.length;
        byte[] src = in.rgb();
        byte[] dst = new byte[outWidth * rows * 3];
        int k = c.kernelSize;
        for (int y = 0; y < rows; y++) {
            int srcRow = (firstRow + y) * in.width() * 3;
            int dstRow = y * outWidth * 3;
            for (int x = 0; x < outWidth; x++) {
                int r = HALF, g = HALF, b = HALF;
                int s = srcRow + c.firstInput[x] * 3;
                int w = x * k;
                for (int t = 0, n = c.taps[x]; t < n; t++, s += 3) {
                    int weight = c.weights[w + t];
                    r += (src[s] & 0xFF) * weight;
                    g += (src[s + 1] & 0xFF) * weight;
                    b += (src[s + 2] & 0xFF) * weight;
                }
                int d = dstRow + x * 3;
                dst[d] = clip8(r);
                dst[d + 1] = clip8(g);
                dst[d + 2] = clip8(b);
            }
        }
        return new RgbImage(outWidth, rows, dst);
    }

    /**
     * Resamples columns; {@code in}'s row 0 is source row {@code rowOffset} of the coefficients.
     * Accumulates whole rows at a time (sequential memory access); integer sums do not depend on order.
     */
    private static RgbImage verticalPass(RgbImage in, Coefficients c, int rowOffset) {
        int outHeight = c.taps.length;
        int rowBytes = in.width() * 3;
        byte[] src = in.rgb();
        byte[] dst = new byte[rowBytes * outHeight];
        int[] acc = new int[rowBytes];
        for (int y = 0; y < outHeight; y++) {
            Arrays.fill(acc, HALF);
            int first = c.firstInput[y] - rowOffset;
            for (int t = 0, n = c.taps[y]; t < n; t++) {
                int weight = c.weights[y * c.kernelSize + t];
                int s = (first + t) * rowBytes;
                for (int i = 0; i < rowBytes; i++) {
                    acc[i] += (src[s + i] & 0xFF) * weight;
                }
            }
            int d = y * rowBytes;
            for (int i = 0; i < rowBytes; i++) {
                dst[d + i] = clip8(acc[i]);
            }
        }
        return new RgbImage(in.width(), outHeight, dst);
    }

    private static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
