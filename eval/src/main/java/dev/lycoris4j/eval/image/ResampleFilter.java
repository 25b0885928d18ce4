package dev.lycoris4j.eval.image;

/**
 * Pillow's resampling kernels (libImaging/Resample.c), with their support radius at scale 1.
 * When downscaling, {@link PillowResampler} stretches the kernel by the scale factor (antialiasing).
 */
public enum ResampleFilter {
    /** Triangle kernel, Pillow's {@code Image.BILINEAR}. */
    BILINEAR(1.0) {
        @Override
        public double weight(double x) {
            double ax = Math.abs(x);
            return ax < 1.0 ? 1.0 - ax : 0.0;
        }
    },
    /** Keys cubic convolution with a = -0.5, Pillow's {@code Image.BICUBIC} (torch's tensor bicubic uses -0.75). */
    BICUBIC(2.0) {
        @Override
        public double weight(double x) {
            final double a = -0.5;
            double ax = Math.abs(x);
            if (ax < 1.0) return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
            if (ax < 2.0) return (((ax - 5) * ax + 8) * ax - 4) * a;
            return 0.0;
        }
    },
    /** Sinc windowed by sinc(x/3), Pillow's {@code Image.LANCZOS}; note the half-open interval [-3, 3). */
    LANCZOS(3.0) {
        @Override
        public double weight(double x) {
            return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        }
    };

    private final double support;

    ResampleFilter(double support) {
        this.support = support;
    }

    /** Radius beyond which {@link #weight} is zero, before scaling. */
    public double support() {
        return support;
    }

    public abstract double weight(double x);

    private static double sinc(double x) {
        if (x == 0.0) return 1.0;
        double px = x * Math.PI;
        // StrictMath (fdlibm) so that coefficients do not depend on the JVM's sin intrinsic.
        return StrictMath.sin(px) / px;
    }
}
