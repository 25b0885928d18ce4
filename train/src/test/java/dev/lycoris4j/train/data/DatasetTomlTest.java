package dev.lycoris4j.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetTomlTest {
    @TempDir
    Path dir;

    private static final DatasetDefaults DEFAULTS = new DatasetDefaults(BucketSettings.kohya(Resolution.square(512)), 1,
            CaptionSettings.defaults(), false);

    @Test
    void generalDatasetAndSubsetValuesNestWithTheInnermostWinning() throws Exception {
        Path file = Files.writeString(dir.resolve("data.toml"), """
                [general]
                shuffle_caption = true
                keep_tokens = 1
                caption_extension = "caption"
                batch_size = 3

                [[datasets]]
                resolution = [640, 512]
                min_bucket_reso = 320
                max_bucket_reso = 960
                keep_tokens = 2

                  [[datasets.subsets]]
                  image_dir = "img/dog"
                  class_tokens = "sks dog"
                  num_repeats = 10

                  [[datasets.subsets]]
                  image_dir = "img/reg"
                  is_reg = true
                  keep_tokens = 0
                  caption_dropout_rate = 0.05

                [[datasets]]
                resolution = 768
                batch_size = 1
                enable_bucket = false
                  [[datasets.subsets]]
                  image_dir = "/abs/dir"
                """);
        List<DatasetConfig> d = DatasetToml.read(file, DEFAULTS);
        assertThat(d).hasSize(2);
        DatasetConfig first = d.get(0);
        assertThat(first.batchSize()).isEqualTo(3);
        assertThat(first.buckets()).isEqualTo(new BucketSettings(new Resolution(640, 512), true, 320, 960, 64, false));
        Subset dog = first.subsets().get(0);
        assertThat(dog.imageDir()).isEqualTo(dir.resolve("img/dog"));
        assertThat(dog.numRepeats()).isEqualTo(10);
        assertThat(dog.classTokens()).isEqualTo("sks dog");
        assertThat(dog.captions()).isEqualTo(new CaptionSettings(".caption", 2, true, 0, 0));
        Subset reg = first.subsets().get(1);
        assertThat(reg.numRepeats()).isEqualTo(1);
        assertThat(reg.classTokens()).isNull();
        assertThat(reg.isReg()).isTrue();
        assertThat(dog.isReg()).isFalse();
        assertThat(reg.captions()).isEqualTo(new CaptionSettings(".caption", 0, true, 0.05, 0));
        DatasetConfig second = d.get(1);
        assertThat(second.batchSize()).isEqualTo(1);
        assertThat(second.buckets().enabled()).isFalse();
        assertThat(second.buckets().resolution()).isEqualTo(Resolution.square(768));
        assertThat(second.subsets().getFirst().imageDir()).isEqualTo(Path.of("/abs/dir"));
    }

    @Test
    void unknownKeysWrongTypesAndMissingTablesAreErrorsNamingTheFile() throws Exception {
        Path unknown = Files.writeString(dir.resolve("a.toml"), "[[datasets]]\nflip_aug = true\n[[datasets.subsets]]\nimage_dir = 'x'\n");
        assertThatThrownBy(() -> DatasetToml.read(unknown, DEFAULTS))
                .hasMessageContaining(unknown.toString()).hasMessageContaining("'flip_aug'");
        Path wrongType = Files.writeString(dir.resolve("b.toml"), "[[datasets]]\n[[datasets.subsets]]\nimage_dir = 'x'\nnum_repeats = 'ten'\n");
        assertThatThrownBy(() -> DatasetToml.read(wrongType, DEFAULTS))
                .hasMessageContaining(wrongType.toString()).hasMessageContaining("num_repeats must be an integer");
        Path noSubsets = Files.writeString(dir.resolve("c.toml"), "[[datasets]]\nresolution = 512\n");
        assertThatThrownBy(() -> DatasetToml.read(noSubsets, DEFAULTS)).hasMessageContaining("has no [[datasets.subsets]]");
        Path broken = Files.writeString(dir.resolve("d.toml"), "[general]\nkeep_tokens = = 1\n");
        assertThatThrownBy(() -> DatasetToml.read(broken, DEFAULTS)).hasMessageStartingWith(broken + ":2: not valid TOML");
    }
}
