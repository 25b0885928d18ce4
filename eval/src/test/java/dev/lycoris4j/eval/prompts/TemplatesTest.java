package dev.lycoris4j.eval.prompts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Trigger strings and template instantiation, worked by hand from spec §1.2-§1.3. */
class TemplatesTest {

    @Test
    void subclassFolderNamesAreAppendedExceptNone() {
        assertThat(Templates.triggerString("whoo anime girl", "onex outfit")).isEqualTo("whoo anime girl, onex outfit");
        assertThat(Templates.triggerString("whoo anime girl", "none")).isEqualTo("whoo anime girl");
        assertThat(Templates.triggerString("fck man", "afro, illustration")).isEqualTo("fck man, afro, illustration");
        assertThat(Templates.triggerString("shld scene", "")).isEqualTo("shld scene");
    }

    @Test
    void plainTemplatesReplaceThePlaceholderAndKeepTheRestVerbatim() {
        assertThat(Templates.fill("{} in the style of pixel art", "shld scene")).isEqualTo("shld scene in the style of pixel art");
        assertThat(Templates.fill("A peacock in front of the {}", "adl scene")).isEqualTo("A peacock in front of the adl scene");
        // the alter template's typo and a trailing space survive
        assertThat(Templates.fill("{} dressed in a a firefighter's outfit ", "x")).isEqualTo("x dressed in a a firefighter's outfit ");
    }

    @Test
    void tagTemplatesLoseTheTagsTheTriggerFieldsOverwrite() {
        String template = "{}, school uniform, running, cherry blossoms, street, sunset ";
        // spec §1.3 QUIRK: a 2-field trigger replaces fields 0 and 1, so "school uniform" is lost
        assertThat(Templates.fillTags(template, "whoo anime girl, onex outfit"))
                .isEqualTo("whoo anime girl, onex outfit, running, cherry blossoms, street, sunset ");
        // a 1-field trigger replaces only the placeholder
        assertThat(Templates.fillTags(template, "whoo anime girl"))
                .isEqualTo("whoo anime girl, school uniform, running, cherry blossoms, street, sunset ");
        // a trigger longer than the template keeps all its fields
        assertThat(Templates.fillTags("{}, kimono", "fck man, afro, illustration")).isEqualTo("fck man, afro, illustration");
        assertThatThrownBy(() -> Templates.fillTags("school uniform, {}", "x")).hasMessageContaining("does not start with '{}, '");
    }
}
