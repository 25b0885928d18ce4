package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.eval.image.ChannelNormalization;
import dev.lycoris4j.eval.image.ImageTransform;
import dev.lycoris4j.eval.image.ResizeMode;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;

/**
 * DINOv2 (LyCORIS-evaluation's {@code dinov2-l-fb}) or DINO v1 (DreamBench's ViT-S/16): the class
 * token after the final norm ({@code x_norm_clstoken}), ImageNet mean/std, by default at 224 pixels
 * with the position table resampled to the 224 grid.
 */
public final class DinoEncoder implements Encoder {
    /** The input size LyCORIS-evaluation and DreamBench use. */
    public static final int INPUT_SIZE = 224;

    private final VisionTransformer model;
    private final int inputSize;

    public DinoEncoder(VisionTransformer model, int inputSize) {
        if (inputSize < model.config().patchSize()) {
            throw new IllegalArgumentException("input size " + inputSize + " is smaller than one patch");
        }
        this.model = model;
        this.inputSize = inputSize;
    }

    /**
     * A transformers Dinov2Model folder (config.json + model.safetensors) or a torch.hub state dict
     * ({@code .safetensors}) of facebookresearch/dinov2 or /dino; see {@link DinoCheckpoints}.
     */
    public static DinoEncoder load(Path model, int inputSize) {
        return new DinoEncoder(DinoCheckpoints.load(model), inputSize);
    }

    /** "dinov2" with layer scale, "dino" (v1) without. */
    @Override public String name() {
        return model.config().layerScale() ? "dinov2" : "dino";
    }

    public VisionTransformer model() {
        return model;
    }

    @Override
    public ImageTransform transform(ResizeMode mode) {
        if (mode == ResizeMode.SCALE) {
            throw new IllegalArgumentException("DINO is evaluated on square inputs; resize mode 'scale' keeps the aspect ratio");
        }
        return new ImageTransform(inputSize, mode, ChannelNormalization.IMAGENET);
    }

    @Override
    public Tensor encodePixels(Tensor pixels) {
        return model.pooled(pixels);
    }
}
