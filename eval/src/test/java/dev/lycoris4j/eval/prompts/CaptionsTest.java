package dev.lycoris4j.eval.prompts;

import dev.lycoris4j.diffusion.image.PngWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code <train>} prompts: captions beside the images, in file-name order, first line only. */
class CaptionsTest {
    @TempDir
    Path dir;

    private void image(String name) throws IOException {
        PngWriter.write(dir.resolve(name), 2, 2, new byte[12], Map.of());
    }

    @Test
    void captionsFollowTheImagesInFileNameOrder() throws IOException {
        image("b.png");
        image("a.png");
        Files.writeString(dir.resolve("a.txt"), "shld scene, front view\nsecond line is ignored\n");
        Files.writeString(dir.resolve("b.txt"), "  shld scene, bare tree  ");
        Files.writeString(dir.resolve("b.txtdb"), "photo of shld scene");
        Files.writeString(dir.resolve("notes.txt"), "not a caption: no image has this stem");
        assertThat(Captions.read(dir, ".txt")).containsExactly("shld scene, front view", "shld scene, bare tree");
        Files.writeString(dir.resolve("a.txtdb"), "photo of shld scene\r\n");
        assertThat(Captions.read(dir, ".txtdb")).containsExactly("photo of shld scene", "photo of shld scene");
    }

    @Test
    void aMissingOrEmptyCaptionIsAnError() throws IOException {
        image("a.png");
        assertThatThrownBy(() -> Captions.read(dir, ".txt")).hasMessageContaining("no caption a.txt for training image "
                + dir.resolve("a.png"));
        Files.writeString(dir.resolve("a.txt"), "\n");
        assertThatThrownBy(() -> Captions.read(dir, ".txt")).hasMessage("caption file is empty: " + dir.resolve("a.txt"));
    }
}
