package dev.lycoris4j.train.data;

/**
 * kohya's aspect-ratio bucket options of one dataset.
 *
 * @param resolution the training resolution; its area bounds every bucket's
 * @param enabled    {@code enable_bucket}; false trains every image at {@code resolution} (resized to cover it and
 *                   centre-cropped, where kohya instead requires images of exactly that size)
 * @param minSize    {@code min_bucket_reso}, the shortest side a bucket may have
 * @param maxSize    {@code max_bucket_reso}, the longest side a bucket may have
 * @param steps      {@code bucket_reso_steps}; as in kohya it only shapes the {@code bucket_no_upscale} buckets (the
 *                   predefined ones always step by 64)
 * @param noUpscale  {@code bucket_no_upscale}: never enlarge an image; its bucket is its own size rounded down
 */
public record BucketSettings(Resolution resolution, boolean enabled, int minSize, int maxSize, int steps,
                             boolean noUpscale) {

    /** kohya's defaults for {@code min_bucket_reso}, {@code max_bucket_reso} and {@code bucket_reso_steps}. */
    public static final int KOHYA_MIN_SIZE = 256;
    public static final int KOHYA_MAX_SIZE = 1024;
    public static final int KOHYA_STEPS = 64;

    public BucketSettings {
        if (steps <= 0) throw new IllegalArgumentException("bucket_reso_steps must be positive, got " + steps);
        if (enabled) {
            if (minSize <= 0 || maxSize < minSize) {
                throw new IllegalArgumentException("bucket sizes need 0 < min_bucket_reso <= max_bucket_reso, got "
                        + minSize + " and " + maxSize);
            }
            if (Math.min(resolution.width(), resolution.height()) < minSize) {
                throw new IllegalArgumentException("min_bucket_reso " + minSize + " must not exceed the resolution " + resolution);
            }
            if (Math.max(resolution.width(), resolution.height()) > maxSize) {
                throw new IllegalArgumentException("max_bucket_reso " + maxSize + " must not be below the resolution " + resolution);
            }
        }
    }

    /** kohya's defaults at {@code resolution}, buckets on. */
    public static BucketSettings kohya(Resolution resolution) {
        return of(resolution, true, KOHYA_MIN_SIZE, KOHYA_MAX_SIZE, KOHYA_STEPS, false);
    }

    /**
     * As kohya's {@code adjust_min_max_bucket_reso_by_steps} does before checking: the minimum rounded down and the
     * maximum rounded up to a multiple of {@code steps}.
     */
    public static BucketSettings of(Resolution resolution, boolean enabled, int minSize, int maxSize, int steps,
                                    boolean noUpscale) {
        if (steps > 0) {
            minSize -= minSize % steps;
            if (maxSize % steps != 0) maxSize += steps - maxSize % steps;
        }
        return new BucketSettings(resolution, enabled, minSize, maxSize, steps, noUpscale);
    }
}
