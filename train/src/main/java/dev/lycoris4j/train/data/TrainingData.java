package dev.lycoris4j.train.data;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.eval.image.ImageFiles;
import dev.lycoris4j.eval.image.RgbImage;
import org.bytedeco.pytorch.Tensor;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every training image found, checked, fitted to its bucket and encoded to latents, held in memory for the run.
 * Latents come from the {@link LatentCache} when an earlier run encoded the same image at the same bucket with the
 * same encoder. An image that cannot be read stops the preparation with a message naming it, unless bad images
 * are to be skipped, in which case it is reported and left out.
 */
public final class TrainingData {

    /**
     * One usable image.
     *
     * @param dataset      index of its dataset
     * @param originalSize the image file's size
     * @param latents      unscaled latents [channels, bucket height / f, bucket width / f]
     */
    public record Sample(ImageItem item, int dataset, Resolution originalSize, Buckets.Choice choice, Tensor latents) {}

    private final List<DatasetConfig> datasets;
    private final List<Sample> samples;
    private final List<Path> skipped;
    private final int encoded;

    private TrainingData(List<DatasetConfig> datasets, List<Sample> samples, List<Path> skipped, int encoded) {
        this.datasets = List.copyOf(datasets);
        this.samples = List.copyOf(samples);
        this.skipped = List.copyOf(skipped);
        this.encoded = encoded;
    }

    public static TrainingData prepare(List<DatasetConfig> datasets, LatentEncoder encoder, LatentCache cache,
                                       boolean skipBadImages, Consumer<String> log) throws IOException {
        List<Sample> samples = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        int encoded = 0;
        for (int d = 0; d < datasets.size(); d++) {
            DatasetConfig dataset = datasets.get(d);
            Buckets buckets = new Buckets(dataset.buckets());
            int before = samples.size();
            for (int s = 0; s < dataset.subsets().size(); s++) {
                for (ImageItem item : DatasetFolders.items(dataset.subsets().get(s), s, log)) {
                    try (StepScope ignored = new StepScope()) {
                        byte[] bytes = readBytes(item.image());
                        Resolution size = imageSize(bytes, item.image());
                        Buckets.Choice choice = buckets.select(size.width(), size.height());
                        Path file = cache.file(Sha256.hex(bytes), choice, encoder.fingerprint());
                        Tensor latents = cache.get(file);
                        if (latents == null) {
                            RgbImage fitted = ImageTensors.fit(decode(bytes, item.image()), choice);
                            latents = encoder.encode(ImageTensors.toTensor(fitted));
                            cache.put(file, latents, item.image());
                            encoded++;
                        }
                        samples.add(new Sample(item, d, size, choice, StepScope.keep(latents)));
                    } catch (BadImageException e) {
                        if (!skipBadImages) {
                            throw new IllegalArgumentException(e.getMessage() + " (--skip-bad-images trains without it)", e);
                        }
                        log.accept("skipping " + e.getMessage());
                        skipped.add(item.image());
                    }
                }
            }
            if (samples.size() == before) {
                throw new IllegalArgumentException("dataset " + (d + 1) + " has no usable images (folders: "
                        + dataset.subsets().stream().map(x -> x.imageDir().toString()).toList() + ")");
            }
        }
        log.accept("latents: " + samples.size() + " images, " + (samples.size() - encoded) + " from the cache in "
                + cache.dir() + ", " + encoded + " encoded" + (skipped.isEmpty() ? "" : ", " + skipped.size() + " bad images skipped"));
        return new TrainingData(datasets, samples, skipped, encoded);
    }

    public List<DatasetConfig> datasets() {
        return datasets;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Images left out because they could not be read. */
    public List<Path> skipped() {
        return skipped;
    }

    /** How many latents this preparation encoded (the rest came from the cache). */
    public int encodedCount() {
        return encoded;
    }

    /** An image file that cannot be used; the message names it. */
    static final class BadImageException extends RuntimeException {
        BadImageException(Path image, String reason, Throwable cause) {
            super("bad image " + image + ": " + reason, cause);
        }
    }

    private static byte[] readBytes(Path image) {
        try {
            return Files.readAllBytes(image);
        } catch (IOException e) {
            throw new BadImageException(image, "cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** The size from the file's header, without decoding the pixels (cached images are never decoded). */
    static Resolution imageSize(byte[] bytes, Path image) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new BadImageException(image, "no image decoder recognises it", null);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return new Resolution(reader.getWidth(0), reader.getHeight(0));
            } finally {
                reader.dispose();
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new BadImageException(image, "cannot be decoded (" + e.getMessage() + ")", e);
        }
    }

    static RgbImage decode(byte[] bytes, Path image) {
        try {
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytes));
            if (decoded == null) throw new BadImageException(image, "no image decoder recognises it", null);
            return ImageFiles.toRgb(decoded, image.toString());
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            throw new BadImageException(image, "cannot be decoded (" + e.getMessage() + ")", e);
        }
    }
}
