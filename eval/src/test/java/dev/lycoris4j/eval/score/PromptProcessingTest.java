package dev.lycoris4j.eval.score;

import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Spec §1.5, example by example; expected strings worked by hand from the steps. */
class PromptProcessingTest {
    private static final PromptProcessing EVAL = PromptProcessing.fromLycorisEvalJson(Golden.data("lycoris-eval-prompts.json"));

    @Test
    void tableIsReadInOrder() {
        List<PromptProcessing.Replacement> r = EVAL.replacements();
        assertThat(r).hasSize(32);
        assertThat(r.getFirst()).isEqualTo(new PromptProcessing.Replacement("olis", "bunny"));
        assertThat(r.get(5)).isEqualTo(new PromptProcessing.Replacement("wai", "tortoise"));
        assertThat(r.getLast()).isEqualTo(new PromptProcessing.Replacement("sura style", ""));
    }

    /** The spec's quirk: the newline shields the trailing comma from step 2. */
    @Test
    void deletedSubclassLeavesTheCommaBeforeTheNewline() {
        assertThat(EVAL.process("whoo anime girl, onex outfit\n")).isEqualTo("anime girl,");
        // Without a newline (a file's last line) the same text loses the comma.
        assertThat(EVAL.process("whoo anime girl, onex outfit")).isEqualTo("anime girl");
    }

    @Test
    void objectTriggersBecomeNounsAndCharacterTriggersGo() {
        assertThat(EVAL.process("olis stuffed toy, pink robe\n")).isEqualTo("bunny stuffed toy, pink robe");
        assertThat(EVAL.process("shld scene, front view, bare tree\n")).isEqualTo("canal scene, front view, bare tree");
        assertThat(EVAL.process("fck man, afro, illustration\n")).isEqualTo("man, afro, illustration");
        // "waj" is the tortoise trigger, the table says "wai": never replaced.
        assertThat(EVAL.process("waj stuffed toy\n")).isEqualTo("waj stuffed toy");
    }

    @Test
    void styleTriggersVanishAndALeadingOfIsDropped() {
        assertThat(EVAL.process("pgs style\n")).isEmpty();
        assertThat(EVAL.process("pgs style of a city skyline during sunset\n")).isEqualTo("a city skyline during sunset");
        assertThat(EVAL.process("drawing in pgs style\n")).isEqualTo("drawing in");
    }

    /** Step 5 after step 4: a deleted middle field leaves ", , ", collapsed once. */
    @Test
    void emptiedFieldIsCollapsedAfterWhitespace() {
        assertThat(EVAL.process("whoo anime girl, onex outfit, running\n")).isEqualTo("anime girl, running");
        // One pass: the first ", , " is replaced, the ", " it leaves does not join the next one.
        assertThat(EVAL.process("a,  \t b , , , c\n")).isEqualTo("a, b , , c");
    }

    @Test
    void replacementsIgnoreWordBoundaries() {
        assertThat(EVAL.process("lunar lander\n")).isEqualTo("lobsterar lander");
    }

    @Test
    void cleanupOnlyKeepsTheWords() {
        PromptProcessing p = PromptProcessing.CLEANUP_ONLY;
        assertThat(p.process("  ,a photo of  sks dog ,\n")).isEqualTo("a photo of sks dog ,");
        assertThat(p.process("of course\u00a0not")).isEqualTo("course not");
    }

    @Test
    void linesFollowPythonTextMode() {
        assertThat(PromptProcessing.lines("a\r\nb\rc\n\nd")).containsExactly("a\n", "b\n", "c\n", "\n", "d");
        assertThat(PromptProcessing.lines("a\n")).containsExactly("a\n");
        assertThat(PromptProcessing.lines("")).isEmpty();
    }

    @Test
    void badTableIsAClearError(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("table.json");
        Files.writeString(json, "{\"text_eval_replacements_in_order\": [[\"a\"]]}");
        assertThatThrownBy(() -> PromptProcessing.fromLycorisEvalJson(json)).hasMessageContaining(json.toString());
        Files.writeString(json, "{}");
        assertThatThrownBy(() -> PromptProcessing.fromLycorisEvalJson(json))
                .hasMessageContaining("text_eval_replacements_in_order");
    }
}
