package dev.lycoris4j.eval.run;

import dev.lycoris4j.eval.analysis.Concept;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Leaves of a dataset laid out as spec §1.2, and the classes selection. */
class DatasetLeavesTest {
    @TempDir
    Path dir;

    @Test
    void classesWithSubclassFoldersHaveOneLeafPerSubclass() throws IOException {
        for (String p : List.of("anime/abukuma/none", "anime/abukuma/onex outfit", "scene/scene_canal", "people/Saw_Gerrera/bald, 3d",
                "scene/.cache")) {
            Files.createDirectories(dir.resolve(p));
        }
        assertThat(DatasetLeaves.find(dir, List.of())).extracting(DatasetLeaves.Leaf::concept).containsExactly(
                new Concept("anime", "abukuma", "none"), new Concept("anime", "abukuma", "onex outfit"),
                new Concept("people", "Saw_Gerrera", "bald, 3d"), new Concept("scene", "scene_canal", ""));
        List<DatasetLeaves.Leaf> chosen = DatasetLeaves.find(dir, List.of("scene", "anime/abukuma/onex outfit", "scene/scene_canal"));
        assertThat(chosen).extracting(l -> l.concept().path()).containsExactly("scene/scene_canal", "anime/abukuma/onex outfit");
        assertThat(chosen.getLast().dir()).isEqualTo(dir.resolve("anime/abukuma/onex outfit"));
        assertThat(DatasetLeaves.find(dir, List.of("anime/abukuma"))).hasSize(2);
        assertThatThrownBy(() -> DatasetLeaves.find(dir, List.of("anime/abuk"))).hasMessageContaining("'anime/abuk' matches no");
        assertThatThrownBy(() -> DatasetLeaves.find(dir.resolve("missing"), List.of())).hasMessageContaining("dataset folder not found");
    }
}
