package dev.lycoris4j.train.data;

import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.eval.image.PillowResampler;
import dev.lycoris4j.eval.image.ResampleFilter;
import dev.lycoris4j.eval.image.RgbImage;
import org.bytedeco.pytorch.Tensor;

/** From a decoded image to the tensor the VAE encodes, as kohya prepares it. */
public final class ImageTensors {
    private ImageTensors() {}

    /**
     * kohya's {@code trim_and_resize_if_required} without random crop: resize to the chosen size (Pillow's Lanczos;
     * kohya uses OpenCV's area filter when shrinking), then cut the centre of the bucket's size out of it.
     */
    public static RgbImage fit(RgbImage image, Buckets.Choice choice) {
        Resolution resized = choice.resized();
        Resolution bucket = choice.bucket();
        if (resized.width() < bucket.width() || resized.height() < bucket.height()) {
            throw new IllegalStateException("resize " + resized + " does not cover bucket " + bucket);
        }
        RgbImage r = image.width() == resized.width() && image.height() == resized.height()
                ? image
                : PillowResampler.resize(image, resized.width(), resized.height(), ResampleFilter.LANCZOS);
        return r.crop((resized.width() - bucket.width()) / 2, (resized.height() - bucket.height()) / 2,
                bucket.width(), bucket.height());
    }

    /**
     * torchvision's {@code ToTensor} then {@code Normalize([0.5], [0.5])}: a float32 [3, height, width] tensor with
     * (v / 255 − 0.5) / 0.5 per sample, computed in float32 as those transforms compute it.
     */
    public static Tensor toTensor(RgbImage image) {
        int w = image.width();
        int h = image.height();
        byte[] rgb = image.rgb();
        float[] chw = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < w * h; i++) {
                float v = (rgb[3 * i + c] & 0xFF) / 255f;
                chw[c * w * h + i] = (v - 0.5f) / 0.5f;
            }
        }
        return Tensors.fromFloats(chw, 3, h, w);
    }
}
