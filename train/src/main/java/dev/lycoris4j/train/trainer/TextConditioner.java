package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.tokenizer.ClipTokenizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * Captions to the UNet's cross-attention context for SD 1.x/2.x: CLIP ids (77 tokens, truncated), the text
 * encoder, and the hidden state {@code clipSkip} layers from the end followed by the final layer norm (kohya's
 * {@code --clip_skip}; 1 is the last layer).
 */
final class TextConditioner {
    private final ClipTokenizer tokenizer;
    private final ClipTextModel encoder;
    private final int clipSkip;

    TextConditioner(ClipTokenizer tokenizer, ClipTextModel encoder, int clipSkip) {
        if (clipSkip < 1 || clipSkip > encoder.config().layers()) {
            throw new IllegalArgumentException("clip_skip must be in [1, " + encoder.config().layers() + "], got " + clipSkip);
        }
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.clipSkip = clipSkip;
    }

    /** [batch, 77, hidden] on the encoder's device, in its dtype; records autograd when the encoder's adapters train. */
    Tensor encode(List<String> captions) {
        long[][] ids = tokenizer.inputIds(captions);
        int length = ids[0].length;
        long[] flat = new long[ids.length * length];
        for (int i = 0; i < ids.length; i++) System.arraycopy(ids[i], 0, flat, i * length, length);
        Tensor weight = encoder.stateDict().values().iterator().next();
        Tensor input = Tensors.fromLongs(flat, ids.length, length).to(weight.device(), torch.ScalarType.Long);
        return encoder.forward(input).fromEndNormed(clipSkip);
    }
}
