package dev.lycoris4j.eval.image;

/**
 * An 8-bit RGB image stored row-major, three bytes per pixel (R, G, B): the layout of
 * {@code numpy.asarray(pil_image)} for a Pillow "RGB" image, i.e. uint8 [height, width, 3].
 *
 * <p>Instances are treated as immutable: no method writes into {@code rgb} after construction, so
 * operations that change nothing may return the same instance.
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
                    + (long) width * height * 3 + " bytes, got " + rgb.length);
        }
    }

    /** An all-black image, the fill Pillow and torchvision use for padding. */
    public static RgbImage black(int width, int height) {
        return new RgbImage(width, height, new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)]);
    }

    /** Channel {@code channel} (0 = R, 1 = G, 2 = B) of pixel (x, y), as 0..255. */
    public int sample(int x, int y, int channel) {
        return rgb[(y * width + x) * 3 + channel] & 0xFF;
    }

    /** The sub-image with top-left corner (left, top); the window must lie inside the image. */
    public RgbImage crop(int left, int top, int cropWidth, int cropHeight) {
        if (left < 0 || top < 0 || cropWidth <= 0 || cropHeight <= 0
                || left + cropWidth > width || top + cropHeight > height) {
            throw new IllegalArgumentException("crop window " + cropWidth + "x" + cropHeight + " at (" + left + ", "
                    + top + ") does not fit in a " + width + "x" + height + " image");
        }
        if (left == 0 && top == 0 && cropWidth == width && cropHeight == height) return this;
        byte[] out = new byte[cropWidth * cropHeight * 3];
        int rowBytes = cropWidth * 3;
        for (int y = 0; y < cropHeight; y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * rowBytes, rowBytes);
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }

    /** This image inside a black border of the given widths (torchvision's constant pad with fill 0). */
    public RgbImage padded(int left, int top, int right, int bottom) {
        if (left < 0 || top < 0 || right < 0 || bottom < 0) {
            throw new IllegalArgumentException("negative padding " + left + ", " + top + ", " + right + ", " + bottom);
        }
        if (left == 0 && top == 0 && right == 0 && bottom == 0) return this;
        RgbImage out = black(width + left + right, height + top + bottom);
        int rowBytes = width * 3;
        for (int y = 0; y < height; y++) {
            System.arraycopy(rgb, y * rowBytes, out.rgb, ((top + y) * out.width + left) * 3, rowBytes);
        }
        return out;
    }
}
