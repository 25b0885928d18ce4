package dev.lycoris4j.eval.run;

import dev.lycoris4j.eval.encoders.Encoder;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.image.RgbImage;
import dev.lycoris4j.eval.metrics.DenseMatrix;
import dev.lycoris4j.eval.score.ImageSets;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The features of one image set, each (encoder, resize mode) computed once: a leaf's dataset images serve
 * every checkpoint and prompt type, the base model's images every checkpoint.
 */
final class FeatureSet {
    private final List<Path> files;
    private List<RgbImage> images;
    private final Map<String, DenseMatrix> cache = new HashMap<>();

    FeatureSet(List<Path> files) {
        this.files = List.copyOf(files);
    }

    int size() {
        return files.size();
    }

    /** Features [n, D] of the images preprocessed with {@code mode}; {@code key} tells encoders apart. */
    DenseMatrix features(String key, Encoder encoder, ResizeMode mode) {
        return cache.computeIfAbsent(key + "\n" + mode.name(), k -> {
            try (Tensor t = encoder.encodeImages(images(), mode)) {
                return DenseMatrix.fromTensor(t);
            }
        });
    }

    private List<RgbImage> images() {
        // Decoded on first use: a row that is already in the results CSV never reads its images.
        if (images == null) images = ImageSets.read(files);
        return images;
    }
}
