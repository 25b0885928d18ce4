package dev.lycoris4j.train.data;

import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Latents on disk, one small safetensors file per (image content, bucket, resize, encoder): the SHA-256 of the
 * image file's bytes, the bucket and resized sizes, and the encoder's fingerprint make up the file name, so a
 * renamed image still hits, an edited one misses, and a cache can be shared between runs and output folders.
 */
public final class LatentCache {
    /** Bumped whenever preprocessing changes what a key's latents are (resampling, crop, normalisation). */
    static final String PREPROCESSING = "p1";
    private static final String TENSOR = "latents";

    private final Path dir;
    private final Consumer<String> warn;

    public LatentCache(Path dir, Consumer<String> warn) {
        this.dir = dir;
        this.warn = warn;
    }

    public Path dir() {
        return dir;
    }

    public Path file(String imageSha256, Buckets.Choice choice, String encoderFingerprint) {
        return dir.resolve(imageSha256 + "-" + choice.bucket() + "-" + choice.resized() + "-" + encoderFingerprint
                + "-" + PREPROCESSING + ".safetensors");
    }

    /** The cached latents, or null when absent; an unreadable entry is reported and treated as absent. */
    public Tensor get(Path file) {
        if (!Files.isRegularFile(file)) return null;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.tensor(TENSOR);
        } catch (SafetensorsException e) {
            warn.accept("ignoring unreadable latent cache entry " + file + ": " + e.getMessage());
            return null;
        }
    }

    public void put(Path file, Tensor latents, Path image) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.write(file, Map.of(TENSOR, latents), Map.of("image", image.toString()));
    }
}
