package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.tokenizer.ClipTokenizer;
import dev.lycoris4j.eval.image.ChannelNormalization;
import dev.lycoris4j.eval.image.ImageTransform;
import dev.lycoris4j.eval.image.ResizeMode;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;
import java.util.List;

/**
 * CLIP image and text features after projection (unnormalised), as LyCORIS-evaluation's
 * {@code encode_image} / {@code encode_text}: images at the model's input size with OpenAI mean/std.
 */
public final class ClipEncoder implements Encoder {
    private final ClipVisionModel vision;
    private final ClipTextModel text;
    private final ClipTokenizer tokenizer;

    /** @param tokenizer null when none was found; {@link #encodeTexts} then fails */
    public ClipEncoder(ClipVisionModel vision, ClipTextModel text, ClipTokenizer tokenizer) {
        this.vision = vision;
        this.text = text;
        this.tokenizer = tokenizer;
    }

    /**
     * A transformers CLIPModel folder (config.json + model.safetensors) or an OpenCLIP
     * {@code .safetensors} file; see {@link ClipCheckpoints}.
     *
     * @param tokenizer a tokenizer folder (vocab.json + merges.txt) or OpenCLIP BPE file, or null to
     *                  look beside the model
     */
    public static ClipEncoder load(Path model, Path tokenizer) {
        return ClipCheckpoints.load(model, tokenizer);
    }

    @Override public String name() { return "clip"; }

    public ClipVisionModel vision() {
        return vision;
    }

    public ClipTextModel text() {
        return text;
    }

    /** Side of the square input the image tower takes. */
    public int imageSize() {
        return vision.transformer().config().imageSize();
    }

    @Override
    public ImageTransform transform(ResizeMode mode) {
        if (mode == ResizeMode.SCALE) {
            throw new IllegalArgumentException("CLIP takes square inputs; resize mode 'scale' keeps the aspect ratio");
        }
        return new ImageTransform(imageSize(), mode, ChannelNormalization.OPENAI_CLIP);
    }

    @Override
    public Tensor encodePixels(Tensor pixels) {
        return vision.imageEmbeds(pixels);
    }

    /** Text features [n, projection_dim] of prompts as given (any prompt processing is the caller's). */
    public Tensor encodeTexts(List<String> prompts) {
        if (tokenizer == null) {
            throw new IllegalStateException("no CLIP tokenizer was found beside the model; give one explicitly");
        }
        long[][] ids = tokenizer.inputIds(prompts);
        return FeatureBatches.collect(ids.length, (from, to) -> {
            long[] flat = new long[(to - from) * ids[0].length];
            for (int i = from; i < to; i++) System.arraycopy(ids[i], 0, flat, (i - from) * ids[0].length, ids[0].length);
            return new FeatureBatches.Batch(to, encodeTokenIds(Tensors.fromLongs(flat, to - from, ids[0].length)));
        });
    }

    /** Text features of token ids [n, context] (int64). */
    public Tensor encodeTokenIds(Tensor ids) {
        return text.forward(ids).textEmbeds();
    }
}
