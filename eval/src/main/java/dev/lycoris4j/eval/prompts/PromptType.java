package dev.lycoris4j.eval.prompts;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The evaluation's prompt types (spec §1.3) and how each is scored.
 * <ul>
 *   <li>{@link #TRAIN} ({@code <train>}): the training captions of the leaf; compared with the dataset.</li>
 *   <li>{@link #TRIGGER} ({@code <trigger>}): the trigger string alone; compared with the dataset.</li>
 *   <li>{@link #ALTER} ({@code <alter>}): the trigger in new contexts; compared with the dataset, diversity per prompt.</li>
 *   <li>{@link #STYLE} ({@code <style>}): the trigger in other styles; compared with the base model's images of
 *       the same prompts and seeds (style loss only, as the reference).</li>
 *   <li>{@link #AGNOSTIC}: prompts the user gives that do not name the concept. The reference has none (spec §6);
 *       they measure what the adapter does to everything else, so they are compared with the base model's
 *       images, like {@link #STYLE}, but with every metric.</li>
 * </ul>
 *
 * The CSV {@code prompt_type} of a type is the reference's condition tag (in, trigger, out, base model; agnostic
 * for the added type); its file stem is the reference's prompt-file name.
 */
public enum PromptType {
    TRAIN("train", "in", "in_dist_prompts", false, false),
    TRIGGER("trigger", "trigger", "triggeronly", false, false),
    ALTER("alter", "out", "out_dist_prompts", true, false),
    STYLE("style", "base model", "style_prompts", false, true),
    AGNOSTIC("agnostic", "agnostic", "agnostic_prompts", true, true);

    private final String id;
    private final String condition;
    private final String fileStem;
    private final boolean diversityPerPrompt;
    private final boolean versusBaseModel;

    PromptType(String id, String condition, String fileStem, boolean diversityPerPrompt, boolean versusBaseModel) {
        this.id = id;
        this.condition = condition;
        this.fileStem = fileStem;
        this.diversityPerPrompt = diversityPerPrompt;
        this.versusBaseModel = versusBaseModel;
    }

    /** The name in configs and the image folder name. */
    public String id() {
        return id;
    }

    /** The CSV {@code prompt_type} value. */
    public String condition() {
        return condition;
    }

    /** The reference's prompt-file name without {@code .txt} ({@code in_dist_prompts}, {@code triggeronly}, ...). */
    public String fileStem() {
        return fileStem;
    }

    /**
     * Whether Vendi is the mean over each prompt's images (the reference does this for {@code out}, where a
     * prompt has several images) rather than one score over all images.
     */
    public boolean diversityPerPrompt() {
        return diversityPerPrompt;
    }

    /** Whether the base model also renders these prompts, as the reference set of the comparison. */
    public boolean versusBaseModel() {
        return versusBaseModel;
    }

    public static PromptType fromId(String id) {
        for (PromptType t : values()) {
            if (t.id.equals(id)) return t;
        }
        throw new IllegalArgumentException("unknown prompt type '" + id + "': use one of "
                + Arrays.stream(values()).map(PromptType::id).collect(Collectors.joining(", ")));
    }
}
