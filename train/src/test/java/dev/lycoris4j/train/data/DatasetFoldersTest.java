package dev.lycoris4j.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class DatasetFoldersTest {
    @TempDir
    Path dir;

    @Test
    void kohyaFoldersGiveRepeatsAndClassTokensAndImagesWithoutCaptionsUseTheClassTokens() throws Exception {
        Path dog = dir.resolve("10_sks dog");
        TestImages.caption(TestImages.png(dog.resolve("a.png"), 8, 8, 1), "a photo of sks dog, grass\n");
        TestImages.png(dog.resolve("b.PNG"), 8, 8, 2);
        Files.writeString(dog.resolve("notes.md"), "not an image");
        TestImages.png(dir.resolve("3_cat").resolve("c.png"), 8, 8, 3);
        Files.createDirectories(dir.resolve("misc"));
        List<String> warnings = new ArrayList<>();

        List<Subset> subsets = DatasetFolders.subsets(dir, CaptionSettings.defaults(), false, warnings::add);

        assertThat(subsets).extracting(Subset::numRepeats, Subset::classTokens)
                .containsExactly(tuple(10, "sks dog"), tuple(3, "cat"));
        assertThat(warnings).singleElement().asString().contains("misc");
        List<ImageItem> items = DatasetFolders.items(subsets.get(0), 0, warnings::add);
        assertThat(items).extracting(ImageItem::caption).containsExactly("a photo of sks dog, grass", "sks dog");
        assertThat(warnings).last().asString().contains("1 image(s)").contains("sks dog");
    }

    @Test
    void aPlainFolderIsOneSubsetRepeatedOnce() throws Exception {
        TestImages.png(dir.resolve("x.png"), 8, 8, 1);
        List<Subset> subsets = DatasetFolders.subsets(dir, CaptionSettings.defaults(), false, s -> {});
        assertThat(subsets).singleElement().satisfies(s -> {
            assertThat(s.numRepeats()).isEqualTo(1);
            assertThat(s.classTokens()).isNull();
        });
        assertThat(DatasetFolders.items(subsets.get(0), 0, s -> {})).singleElement()
                .extracting(ImageItem::caption).isEqualTo("");
    }

    @Test
    void badFoldersAndCaptionsAreErrorsNamingThem() throws Exception {
        assertThatThrownBy(() -> DatasetFolders.subsets(dir, CaptionSettings.defaults(), false, s -> {}))
                .hasMessageContaining("no training images in " + dir);
        Path image = TestImages.png(dir.resolve("1_x").resolve("y.png"), 8, 8, 1);
        Path caption = Files.write(DatasetFolders.captionFile(image, ".txt"), new byte[0]);
        Subset subset = DatasetFolders.subsets(dir, CaptionSettings.defaults(), false, s -> {}).getFirst();
        assertThatThrownBy(() -> DatasetFolders.items(subset, 0, s -> {})).hasMessage("caption file is empty: " + caption);
        Files.write(caption, new byte[] {(byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> DatasetFolders.items(subset, 0, s -> {})).hasMessage("caption file is not valid UTF-8: " + caption);
    }
}
