package dev.lycoris4j.eval.image;

import org.bytedeco.pytorch.Tensor;

/**
 * LyCORIS-evaluation's {@code image_transform(size, mean, std, resize_mode)}: the geometric step,
 * then torchvision ToTensor and Normalize. Yields float32 [3, h, w] (h, w = size except for SCALE).
 */
public record ImageTransform(int size, ResizeMode mode, ChannelNormalization normalization) {

    public ImageTransform {
        if (size <= 0) throw new IllegalArgumentException("image size must be positive, got " + size);
    }

    public RgbImage geometry(RgbImage image) {
        return mode.apply(image, size);
    }

    public Tensor apply(RgbImage image) {
        return normalization.toTensor(geometry(image), PixelScaling.TORCHVISION);
    }
}
