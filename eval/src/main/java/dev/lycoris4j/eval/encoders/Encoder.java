package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.eval.image.ImageTransform;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.image.RgbImage;
import org.bytedeco.pytorch.Tensor;

import java.util.List;

/** An image feature extractor of the evaluation: CLIP, DINOv2 / DINO, VGG19 Gram. */
public interface Encoder {

    /** Short name for messages ("clip", "dinov2", "vgg19-gram"). */
    String name();

    /**
     * The preprocessing for a resize mode: LyCORIS-evaluation's {@code image_transform} with this
     * encoder's input size and mean/std. Generated images use {@link ResizeMode#STRETCH} (the
     * reference's 'resize'); reference sets the mode the caller chooses.
     */
    ImageTransform transform(ResizeMode mode);

    /** Features of preprocessed pixels: float32 [n, 3, H, W] → [n, D]. */
    Tensor encodePixels(Tensor pixels);

    /** Features of decoded images, [n, D] float32, preprocessed by {@link #transform}. */
    default Tensor encodeImages(List<RgbImage> images, ResizeMode mode) {
        return FeatureBatches.encodeImages(this, images, transform(mode));
    }
}
