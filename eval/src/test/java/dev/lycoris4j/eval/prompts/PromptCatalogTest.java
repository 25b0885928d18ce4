package dev.lycoris4j.eval.prompts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.analysis.Concept;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The template prompts of lycoris-eval-prompts.json: expectations from the data file and spec §1.2-§1.5. */
class PromptCatalogTest {
    private static final Path DATA = Golden.data("lycoris-eval-prompts.json");
    private static final PromptCatalog CATALOG = PromptCatalog.load(DATA);
    private static final Concept ONEX = new Concept("anime", "abukuma", "onex outfit");
    private static final Concept CANAL = new Concept("scene", "scene_canal", "");

    @TempDir
    Path dir;

    /** A leaf of the data file's dataset tree and what the file says about it. */
    private record TreeLeaf(Concept concept, JsonNode entry) {}

    private static List<TreeLeaf> treeLeaves() throws IOException {
        List<TreeLeaf> out = new ArrayList<>();
        JsonNode tree = new ObjectMapper().readTree(DATA.toFile()).get("dataset_tree");
        for (Map.Entry<String, JsonNode> category : tree.properties()) {
            for (Map.Entry<String, JsonNode> cls : category.getValue().properties()) {
                JsonNode subs = cls.getValue().get("subclasses");
                if (subs == null) {
                    out.add(new TreeLeaf(new Concept(category.getKey(), cls.getKey(), ""), cls.getValue()));
                } else {
                    subs.properties().forEach(s -> out.add(new TreeLeaf(new Concept(category.getKey(), cls.getKey(), s.getKey()), s.getValue())));
                }
            }
        }
        return out;
    }

    @Test
    void everyLeafOfTheDatasetTreeGetsItsTriggerPrompt() throws IOException {
        List<TreeLeaf> leaves = treeLeaves();
        assertThat(leaves).hasSize(39);
        for (TreeLeaf leaf : leaves) {
            assertThat(CATALOG.triggerString(leaf.concept())).as(leaf.concept().path())
                    .isEqualTo(leaf.entry().get("trigger_prompt").textValue());
        }
    }

    @Test
    void promptFilesExistWhereTheDataFileListsThem() throws IOException {
        for (TreeLeaf leaf : treeLeaves()) {
            List<String> files = new ArrayList<>();
            leaf.entry().get("prompt_files").forEach(f -> files.add(f.textValue()));
            assertThat(CATALOG.hasTemplates(PromptType.STYLE, leaf.concept())).as(leaf.concept().path())
                    .isEqualTo(files.contains("style_prompts.txt"));
            assertThat(CATALOG.alterTagPrompts(leaf.concept()).isPresent()).as(leaf.concept().path())
                    .isEqualTo(files.contains("out_dist_prompts_tags.txt"));
        }
    }

    @Test
    void alterPromptsComeFromTheNearestFolderWithTemplates() {
        List<String> anime = CATALOG.prompts(PromptType.ALTER, ONEX);
        assertThat(anime).hasSize(10);
        assertThat(anime.getFirst()).isEqualTo("whoo anime girl, onex outfit selfie standing under the pink blossoms of a cherry tree");
        List<String> canal = CATALOG.prompts(PromptType.ALTER, CANAL);
        assertThat(canal.getFirst()).isEqualTo("shld scene surrounded by towering skyscrapers");
        assertThat(canal.getLast()).isEqualTo("shld scene with the water replaced by a smooth pathway of glowing emeralds");
        assertThat(CATALOG.prompts(PromptType.ALTER, new Concept("scene", "scene_castle", "")).get(8))
                .isEqualTo("A peacock in front of the adl scene");
        assertThatThrownBy(() -> CATALOG.prompts(PromptType.ALTER, new Concept("scene", "scene_canal2", "")))
                .hasMessageContaining("class 'scene_canal2'");
    }

    @Test
    void triggerStyleAndTagPrompts() {
        assertThat(CATALOG.prompts(PromptType.TRIGGER, ONEX)).containsExactly("whoo anime girl, onex outfit");
        assertThat(CATALOG.prompts(PromptType.STYLE, CANAL)).containsExactly("shld scene in the style of pencil drawing",
                "shld scene in the style of watercolor painting", "shld scene in the style of Vincent Van Gogh",
                "shld scene in the style of Claude Monet", "shld scene in the style of pixel art");
        Concept ghibli = new Concept("style", "ghibi", "");
        assertThat(CATALOG.hasTemplates(PromptType.STYLE, ghibli)).isFalse();
        assertThatThrownBy(() -> CATALOG.prompts(PromptType.STYLE, ghibli)).hasMessageContaining("no style templates");
        assertThat(CATALOG.prompts(PromptType.ALTER, ghibli).getFirst()).isEqualTo("pgs style of a city skyline during sunset");
        List<String> tags = CATALOG.alterTagPrompts(ONEX).orElseThrow();
        assertThat(tags).hasSize(10);
        assertThat(tags.getFirst()).isEqualTo("whoo anime girl, onex outfit, running, cherry blossoms, street, sunset ");
        assertThat(CATALOG.alterTagPrompts(CANAL)).isEmpty();
        assertThatThrownBy(() -> CATALOG.prompts(PromptType.TRAIN, ONEX)).hasMessageContaining("no train templates");
    }

    @Test
    void textProcessingUsesTheFileReplacementTable() {
        // spec §1.5: the trailing comma before the newline survives; style triggers vanish with the leading "of "
        assertThat(CATALOG.textProcessing().process("whoo anime girl, onex outfit\n")).isEqualTo("anime girl,");
        assertThat(CATALOG.textProcessing().process("pgs style of a city skyline during sunset\n"))
                .isEqualTo("a city skyline during sunset");
        assertThat(CATALOG.textProcessing().process("shld scene with night sky\n")).isEqualTo("canal scene with night sky");
    }

    @Test
    void theBuiltInCopyIsTheSharedDataFile() throws IOException {
        try (InputStream in = PromptCatalog.class.getResourceAsStream(PromptCatalog.BUILT_IN)) {
            assertThat(in).isNotNull();
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(DATA));
        }
        assertThat(PromptCatalog.builtIn().prompts(PromptType.ALTER, CANAL)).isEqualTo(CATALOG.prompts(PromptType.ALTER, CANAL));
    }

    @Test
    void badFilesAreOneLineErrorsNamingTheFile() throws IOException {
        Path syntax = Files.writeString(dir.resolve("bad.json"), "{\n  \"trigger_template\": [\"{}\"\n");
        assertThatThrownBy(() -> PromptCatalog.load(syntax)).hasMessageStartingWith(syntax + ":").hasMessageContaining("not valid JSON");
        Path missing = Files.writeString(dir.resolve("missing.json"), "{\"trigger_token_mapping\": {\"c\": \"x\"}}");
        assertThatThrownBy(() -> PromptCatalog.load(missing)).hasMessage(missing + ": no 'trigger_template' entry");
        assertThatThrownBy(() -> PromptCatalog.load(dir.resolve("none.json"))).hasMessageContaining("data file not found");
        Path noScene = Files.writeString(dir.resolve("own.json"), """
                {"trigger_token_mapping": {"harbour": "hbr scene"}, "trigger_template": ["{}"],
                 "style_templates": ["{} as a sketch"], "alter_templates": {"people": ["{} reading"]},
                 "text_eval_replacements_in_order": [["hbr", "harbour"]]}
                """);
        PromptCatalog own = PromptCatalog.load(noScene);
        Concept harbour = new Concept("scene", "harbour", "");
        assertThat(own.prompts(PromptType.STYLE, harbour)).containsExactly("hbr scene as a sketch");
        assertThatThrownBy(() -> own.prompts(PromptType.ALTER, harbour))
                .hasMessage(noScene + ": no alter_templates for scene/harbour or any folder above it");
    }
}
