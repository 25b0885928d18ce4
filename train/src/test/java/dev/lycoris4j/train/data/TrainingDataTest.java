package dev.lycoris4j.train.data;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingDataTest {
    @TempDir
    Path dir;

    /** Latents = the fitted image halved, counting its calls. */
    private static LatentEncoder counting(String fingerprint, AtomicInteger calls) {
        return new LatentEncoder() {
            @Override public String fingerprint() { return fingerprint; }
            @Override public Tensor encode(Tensor image) {
                calls.incrementAndGet();
                return image.mul(new Scalar(0.5));
            }
        };
    }

    private List<DatasetConfig> config() {
        BucketSettings buckets = BucketSettings.of(Resolution.square(64), true, 32, 128, 32, false);
        return List.of(new DatasetConfig(DatasetFolders.subsets(dir.resolve("data"), CaptionSettings.defaults(), false, s -> {}),
                buckets, 1, false));
    }

    @Test
    void aSecondRunReadsTheCacheAndGetsIdenticalLatents() throws Exception {
        TestImages.png(dir.resolve("data/2_x/a.png"), 80, 64, 1);
        TestImages.png(dir.resolve("data/2_x/b.png"), 64, 64, 2);
        Path cacheDir = dir.resolve("cache");
        AtomicInteger calls = new AtomicInteger();
        TrainingData first = TrainingData.prepare(config(), counting("f1", calls), new LatentCache(cacheDir, s -> {}), false, s -> {});
        assertThat(calls).hasValue(2);
        assertThat(first.encodedCount()).isEqualTo(2);
        try (var files = Files.list(cacheDir)) {
            assertThat(files.toList()).hasSize(2);
        }

        TrainingData second = TrainingData.prepare(config(), counting("f1", calls), new LatentCache(cacheDir, s -> {}), false, s -> {});
        assertThat(calls).hasValue(2);
        assertThat(second.encodedCount()).isZero();
        for (int i = 0; i < 2; i++) {
            Tensor a = first.samples().get(i).latents();
            Tensor b = second.samples().get(i).latents();
            assertThat(Tensors.shape(b)).isEqualTo(Tensors.shape(a));
            assertThat(Tensors.toFloats(b)).isEqualTo(Tensors.toFloats(a));
        }
        // the buckets are 32×128, 64×64 and 128×32: the 80×64 image (ratio 1.25) goes to 64×64
        assertThat(first.samples().get(0).choice().bucket()).isEqualTo(new Resolution(64, 64));

        // another encoder (a different fingerprint) misses the cache
        TrainingData third = TrainingData.prepare(config(), counting("f2", calls), new LatentCache(cacheDir, s -> {}), false, s -> {});
        assertThat(third.encodedCount()).isEqualTo(2);
    }

    @Test
    void aCorruptImageStopsPreparationNamingItUnlessSkipped() throws Exception {
        TestImages.png(dir.resolve("data/1_x/good.png"), 64, 64, 1);
        Path bad = Files.write(dir.resolve("data/1_x/bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        AtomicInteger calls = new AtomicInteger();
        LatentCache cache = new LatentCache(dir.resolve("cache"), s -> {});
        assertThatThrownBy(() -> TrainingData.prepare(config(), counting("f", calls), cache, false, s -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad image " + bad)
                .hasMessageContaining("--skip-bad-images");
        TrainingData data = TrainingData.prepare(config(), counting("f", calls), cache, true, s -> {});
        assertThat(data.skipped()).containsExactly(bad);
        assertThat(data.samples()).singleElement().extracting(s -> s.item().image().getFileName().toString()).isEqualTo("good.png");
    }
}
