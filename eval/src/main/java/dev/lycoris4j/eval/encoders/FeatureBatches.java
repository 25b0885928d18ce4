package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.eval.image.ImageTransform;
import dev.lycoris4j.eval.image.PixelScaling;
import dev.lycoris4j.eval.image.RgbImage;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Runs an encoder over many inputs in batches, each inside its own step scope (so the native memory
 * of one batch is freed before the next) and without autograd; the rows are gathered into one
 * float32 [n, D] tensor created outside every scope.
 */
final class FeatureBatches {
    static final int BATCH = 16;

    private FeatureBatches() {}

    /** Consecutive images of equal preprocessed size share a batch (SCALE mode gives varying sizes). */
    static Tensor encodeImages(Encoder encoder, List<RgbImage> images, ImageTransform transform) {
        List<RgbImage> resized = new ArrayList<>(images.size());
        for (RgbImage image : images) resized.add(transform.geometry(image));
        return collect(resized.size(), (from, limit) -> {
            int to = from + 1;
            RgbImage first = resized.get(from);
            while (to < limit && resized.get(to).width() == first.width() && resized.get(to).height() == first.height()) to++;
            List<Tensor> pixels = new ArrayList<>(to - from);
            // The second half of ImageTransform.apply: ToTensor then Normalize.
            for (int i = from; i < to; i++) pixels.add(transform.normalization().toTensor(resized.get(i), PixelScaling.TORCHVISION));
            return new Batch(to, encoder.encodePixels(torch.stack(new TensorVector(pixels.toArray(new Tensor[0])))));
        });
    }

    /** One batch's result: rows for inputs [from, end). */
    record Batch(int end, Tensor features) {}

    /**
     * @param encode given the first input index and the largest allowed end (first + {@link #BATCH},
     *               capped at n), encodes a batch and says where it ended
     */
    static Tensor collect(int n, BiFunction<Integer, Integer, Batch> encode) {
        if (n == 0) throw new IllegalArgumentException("nothing to encode");
        float[][] rows = new float[n][];
        int from = 0;
        while (from < n) {
            try (StepScope scope = new StepScope(); NoGrad noGrad = new NoGrad()) {
                Batch batch = encode.apply(from, Math.min(n, from + BATCH));
                long[] shape = Tensors.shape(batch.features());
                if (shape.length != 2 || shape[0] != batch.end() - from) {
                    throw new IllegalStateException("encoder returned " + Tensors.shapeString(shape) + " for "
                            + (batch.end() - from) + " inputs");
                }
                float[] values = Tensors.toFloats(batch.features());
                int d = (int) shape[1];
                for (int r = 0; r < shape[0]; r++) {
                    rows[from + r] = java.util.Arrays.copyOfRange(values, r * d, (r + 1) * d);
                }
                from = batch.end();
            }
        }
        int d = rows[0].length;
        float[] all = new float[n * d];
        for (int r = 0; r < n; r++) System.arraycopy(rows[r], 0, all, r * d, d);
        return Tensors.fromFloats(all, n, d);
    }
}
