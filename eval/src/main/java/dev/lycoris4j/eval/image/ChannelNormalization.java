package dev.lycoris4j.eval.image;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * Per-channel {@code (x - mean) / std} on pixels scaled to [0, 1], producing the float32 CHW tensor
 * an encoder takes. Arithmetic is float32, element by element, as torchvision's Normalize and the HF
 * processors do it, so results match the references to the last bit (not only within tolerance).
 */
public record ChannelNormalization(String name, float[] mean, float[] std) {

    /**
     * OpenAI CLIP statistics. The constants are written as double literals cast to float because the
     * references turn Python floats (doubles) into float32 tensors; a float literal could round differently.
     */
    public static final ChannelNormalization OPENAI_CLIP = new ChannelNormalization("openai-clip",
            new float[] {(float) 0.48145466, (float) 0.4578275, (float) 0.40821073},
            new float[] {(float) 0.26862954, (float) 0.26130258, (float) 0.27577711});

    /** ImageNet statistics (DINOv2, VGG19, ConvNeXt V2 in LyCORIS-evaluation). */
    public static final ChannelNormalization IMAGENET = new ChannelNormalization("imagenet",
            new float[] {(float) 0.485, (float) 0.456, (float) 0.406},
            new float[] {(float) 0.229, (float) 0.224, (float) 0.225});

    public ChannelNormalization {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 channels, got " + mean.length + " and " + std.length);
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Normalised pixels as a float32 [3, height, width] tensor. */
    public Tensor toTensor(RgbImage image, PixelScaling scaling) {
        return Tensors.fromFloats(toChw(image, scaling), 3, image.height(), image.width());
    }

    /** Normalised pixels, channel-major (CHW) in a plain array. */
    public float[] toChw(RgbImage image, PixelScaling scaling) {
        int plane = image.width() * image.height();
        byte[] rgb = image.rgb();
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            float m = mean[c];
            float s = std[c];
            int base = c * plane;
            for (int i = 0; i < plane; i++) {
                out[base + i] = (scaling.toUnit(rgb[3 * i + c] & 0xFF) - m) / s;
            }
        }
        return out;
    }
}
