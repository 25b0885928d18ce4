package dev.lycoris4j.eval.prompts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * LyCORIS-evaluation's template instantiation ({@code instantiate_template.py}, spec §1.2-§1.3): the trigger
 * string of a leaf, and the two ways a template line becomes a prompt.
 */
public final class Templates {
    /** Replaced by the trigger string. */
    public static final String PLACEHOLDER = "{}";
    /** The sub-class folder name that adds nothing to the trigger string. */
    public static final String NO_SUBCLASS = "none";
    /** Separator of the comma-fields (tags) of trigger strings and tag templates. */
    private static final String FIELD_SEPARATOR = ", ";

    private Templates() {}

    /**
     * The trigger string of a leaf: the class's trigger and class words, plus {@code ", " + subclass} for a
     * sub-class folder other than {@code none}; sub-class folder names are literally part of the prompt
     * ({@code fck man, afro, illustration}).
     *
     * @param subclass the sub-class folder name, or "" for a class without sub-classes
     */
    public static String triggerString(String classTrigger, String subclass) {
        if (subclass.isEmpty() || subclass.equals(NO_SUBCLASS)) return classTrigger;
        return classTrigger + FIELD_SEPARATOR + subclass;
    }

    /** A plain template line: every {@code {}} becomes the trigger string; the rest is kept verbatim. */
    public static String fill(String template, String trigger) {
        return template.replace(PLACEHOLDER, trigger);
    }

    /**
     * A tag template line ({@code {}, tag, tag, ...}): the trigger's k comma-fields, then the template's
     * fields from index k on. The template's field 0 is {@code {}}, so for a trigger of k > 1 fields template
     * tags 1 … k−1 are lost, as in the reference (QUIRK: {@code {}, school uniform, running} with trigger
     * {@code whoo anime girl, onex outfit} gives {@code whoo anime girl, onex outfit, running}). Fields are split
     * on ", " and joined with ", "; on the reference's data this equals splitting on ",".
     */
    public static String fillTags(String template, String trigger) {
        String[] fields = template.split(FIELD_SEPARATOR, -1);
        if (!fields[0].equals(PLACEHOLDER)) {
            throw new IllegalArgumentException("tag template '" + template + "' does not start with '" + PLACEHOLDER
                    + FIELD_SEPARATOR + "'");
        }
        List<String> out = new ArrayList<>(Arrays.asList(trigger.split(FIELD_SEPARATOR, -1)));
        for (int i = out.size(); i < fields.length; i++) out.add(fields[i]);
        return String.join(FIELD_SEPARATOR, out);
    }
}
