package dev.lycoris4j.eval.image;

import org.bytedeco.pytorch.Tensor;

/**
 * The HF transformers image processors used with CLIP and DINOv2 checkpoints: RGB conversion,
 * shortest edge to {@code shortestEdge} (Pillow bicubic, long side truncated like torchvision),
 * a centred {@code cropSize} square with floor offsets {@code (L - crop) // 2} (torchvision rounds
 * half to even instead, so the two differ by one pixel when L - crop is 3 mod 4), rescale, normalise.
 */
public record HfImageProcessor(int shortestEdge, int cropSize, ChannelNormalization normalization) {

    /** {@code CLIPImageProcessor()} defaults (openai/clip-vit-*). */
    public static final HfImageProcessor CLIP = new HfImageProcessor(224, 224, ChannelNormalization.OPENAI_CLIP);

    /** {@code BitImageProcessor} with the facebook/dinov2-* preprocessor preset. */
    public static final HfImageProcessor DINOV2 = new HfImageProcessor(256, 224, ChannelNormalization.IMAGENET);

    public HfImageProcessor {
        if (cropSize > shortestEdge) {
            throw new IllegalArgumentException("crop " + cropSize + " larger than the shortest edge " + shortestEdge);
        }
    }

    /** The uint8 image after resize and crop (the processor with do_rescale/do_normalize off). */
    public RgbImage resizeAndCrop(RgbImage image) {
        RgbImage resized = ResizeMode.resizeShorterSide(image, shortestEdge);
        int top = (resized.height() - cropSize) / 2;
        int left = (resized.width() - cropSize) / 2;
        return resized.crop(left, top, cropSize, cropSize);
    }

    /** {@code pixel_values[0]}: float32 [3, cropSize, cropSize]. */
    public Tensor pixelValues(RgbImage image) {
        return normalization.toTensor(resizeAndCrop(image), PixelScaling.HF_RESCALE);
    }
}
