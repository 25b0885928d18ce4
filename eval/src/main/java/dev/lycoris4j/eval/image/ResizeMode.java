package dev.lycoris4j.eval.image;

/**
 * The geometric step of LyCORIS-evaluation's {@code image_transform(size, mean, std, resize_mode)}
 * (torchvision transforms on PIL images, all resampling Pillow bicubic). {@link #referenceName()} is
 * the mode's name in that code and in feature-file keys ({@code dinov2-l-fb-padding}, ...).
 */
public enum ResizeMode {
    /** 'resize_rectangle': shorter side to S, aspect kept, no crop; the result is usually not square. */
    SCALE("resize_rectangle"),
    /**
     * 'padding' (open_clip's ResizeMaxSize): longer side to S, the other side round(side * S / longer)
     * with Python's half-to-even round, then a black border to S x S (left/top get the floor half).
     */
    LETTERBOX("padding"),
    /** 'crop': shorter side to S, then the centred S x S window, offsets round((L - S) / 2) half-to-even. */
    CENTER_CROP("crop"),
    /** 'resize': stretched to exactly S x S. */
    STRETCH("resize");

    private final String referenceName;

    ResizeMode(String referenceName) {
        this.referenceName = referenceName;
    }

    public String referenceName() {
        return referenceName;
    }

    public static ResizeMode fromReferenceName(String name) {
        for (ResizeMode mode : values()) {
            if (mode.referenceName.equals(name)) return mode;
        }
        throw new IllegalArgumentException("unknown resize mode '" + name
                + "': expected resize_rectangle, padding, crop or resize");
    }

    public RgbImage apply(RgbImage image, int size) {
        return switch (this) {
            case SCALE -> resizeShorterSide(image, size);
            case LETTERBOX -> letterbox(image, size);
            case CENTER_CROP -> {
                RgbImage resized = resizeShorterSide(image, size);
                // torchvision CenterCrop: int(round((L - S) / 2.0)), Python round = half to even.
                int top = (int) Math.rint((resized.height() - size) / 2.0);
                int left = (int) Math.rint((resized.width() - size) / 2.0);
                yield resized.crop(left, top, size, size);
            }
            case STRETCH -> PillowResampler.resize(image, size, size, ResampleFilter.BICUBIC);
        };
    }

    /**
     * torchvision {@code Resize(int)} and the HF processors' shortest-edge resize: the shorter side
     * becomes {@code shorterSide}, the longer side {@code int(shorterSide * long / short)} (truncated).
     */
    static RgbImage resizeShorterSide(RgbImage image, int shorterSide) {
        int w = image.width();
        int h = image.height();
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        int newLong = (int) ((double) ((long) shorterSide * longSide) / shortSide);
        return w <= h
                ? PillowResampler.resize(image, shorterSide, newLong, ResampleFilter.BICUBIC)
                : PillowResampler.resize(image, newLong, shorterSide, ResampleFilter.BICUBIC);
    }

    private static RgbImage letterbox(RgbImage image, int size) {
        int w = image.width();
        int h = image.height();
        if (w == h && w == size) return image;
        double scale = size / (double) Math.max(w, h);
        int newHeight = (int) Math.rint(h * scale);
        int newWidth = (int) Math.rint(w * scale);
        RgbImage resized = PillowResampler.resize(image, newWidth, newHeight, ResampleFilter.BICUBIC);
        int padWidth = size - newWidth;
        int padHeight = size - newHeight;
        return resized.padded(padWidth / 2, padHeight / 2, padWidth - padWidth / 2, padHeight - padHeight / 2);
    }
}
