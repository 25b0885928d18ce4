package dev.lycoris4j.eval.prompts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.eval.analysis.Concept;
import dev.lycoris4j.eval.score.PromptProcessing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The template prompts of LyCORIS-evaluation ({@code lycoris-eval-prompts.json}): trigger words per class,
 * the {@code <trigger>}, {@code <alter>} and {@code <style>} templates, and the replacement table applied
 * before CLIP text encoding. The same format serves other datasets: a file needs
 * {@code trigger_token_mapping} (class folder name → trigger and class words), {@code trigger_template},
 * {@code alter_templates}, {@code style_templates} and {@code text_eval_replacements_in_order}.
 *
 * <p>{@code alter_templates} is keyed by dataset path ({@code people}, {@code scene/scene_canal}); a leaf
 * uses the templates of its nearest ancestor (or itself) that has some, as {@code instantiate_template.py}
 * looks for the nearest template file up the folder tree. A key ending in {@code _tags}
 * ({@code anime_tags}) holds tag-format templates for the path before the suffix.
 */
public final class PromptCatalog {
    /** The built-in copy of the shared data file. */
    public static final String BUILT_IN = "/dev/lycoris4j/eval/prompts/lycoris-eval-prompts.json";
    /** The category whose classes are styles: it has no {@code <style>} prompts (spec §1.3). */
    public static final String STYLE_CATEGORY = "style";
    private static final String TAGS_SUFFIX = "_tags";

    private final String source;
    private final Map<String, String> triggers;
    private final List<String> triggerTemplates;
    private final Map<String, List<String>> alterTemplates;
    private final Map<String, List<String>> tagTemplates;
    private final List<String> styleTemplates;
    private final PromptProcessing textProcessing;

    private PromptCatalog(JsonData.Document doc) {
        this.source = doc.source();
        this.triggers = new LinkedHashMap<>();
        JsonNode mapping = doc.require("trigger_token_mapping");
        if (!mapping.isObject() || mapping.isEmpty()) throw doc.error("'trigger_token_mapping' must be a non-empty object");
        mapping.properties().forEach(e -> triggers.put(e.getKey(),
                doc.string(e.getValue(), "trigger_token_mapping." + e.getKey())));
        this.triggerTemplates = doc.strings(doc.require("trigger_template"), "trigger_template");
        this.styleTemplates = doc.strings(doc.require("style_templates"), "style_templates");
        this.alterTemplates = new LinkedHashMap<>();
        this.tagTemplates = new LinkedHashMap<>();
        JsonNode alter = doc.require("alter_templates");
        if (!alter.isObject() || alter.isEmpty()) throw doc.error("'alter_templates' must be a non-empty object");
        alter.properties().forEach(e -> {
            List<String> lines = doc.strings(e.getValue(), "alter_templates." + e.getKey());
            if (e.getKey().endsWith(TAGS_SUFFIX)) {
                tagTemplates.put(e.getKey().substring(0, e.getKey().length() - TAGS_SUFFIX.length()), lines);
            } else {
                alterTemplates.put(e.getKey(), lines);
            }
        });
        this.textProcessing = new PromptProcessing(replacements(doc));
    }

    public static PromptCatalog load(Path json) {
        return new PromptCatalog(JsonData.read(json));
    }

    public static PromptCatalog builtIn() {
        return new PromptCatalog(JsonData.resource(BUILT_IN));
    }

    /** The trigger string of a leaf: its class's trigger words, plus the sub-class (see {@link Templates#triggerString}). */
    public String triggerString(Concept leaf) {
        String trigger = triggers.get(leaf.cls());
        if (trigger == null) {
            throw new IllegalArgumentException(source + ": class '" + leaf.cls() + "' (" + leaf.path()
                    + ") has no entry in trigger_token_mapping");
        }
        return Templates.triggerString(trigger, leaf.subclass());
    }

    /** Whether the leaf has prompts of a template type: {@code <style>} is not made for the style category. */
    public boolean hasTemplates(PromptType type, Concept leaf) {
        return switch (type) {
            case TRIGGER, ALTER -> true;
            case STYLE -> !leaf.category().equals(STYLE_CATEGORY);
            case TRAIN, AGNOSTIC -> false;
        };
    }

    /** The {@code <trigger>}, {@code <alter>} or {@code <style>} prompts of a leaf, in template order. */
    public List<String> prompts(PromptType type, Concept leaf) {
        if (!hasTemplates(type, leaf)) {
            throw new IllegalArgumentException("no " + type.id() + " templates for " + leaf.path());
        }
        String trigger = triggerString(leaf);
        List<String> templates = switch (type) {
            case TRIGGER -> triggerTemplates;
            case STYLE -> styleTemplates;
            case ALTER -> nearest(alterTemplates, leaf).orElseThrow(() -> new IllegalArgumentException(source
                    + ": no alter_templates for " + leaf.path() + " or any folder above it"));
            case TRAIN, AGNOSTIC -> throw new IllegalStateException("unreachable: checked by hasTemplates");
        };
        return templates.stream().map(t -> Templates.fill(t, trigger)).toList();
    }

    /** The tag-format {@code <alter>} prompts ({@code out_dist_prompts_tags.txt}), where tag templates exist. */
    public Optional<List<String>> alterTagPrompts(Concept leaf) {
        String trigger = triggerString(leaf);
        return nearest(tagTemplates, leaf).map(lines -> lines.stream().map(t -> Templates.fillTags(t, trigger)).toList());
    }

    /** The replacement table and clean-up applied to prompts before CLIP text encoding (spec §1.5). */
    public PromptProcessing textProcessing() {
        return textProcessing;
    }

    /** The entry of the leaf's own path, else of its class, else of its category. */
    private static Optional<List<String>> nearest(Map<String, List<String>> byPath, Concept leaf) {
        List<String> candidates = new ArrayList<>();
        if (leaf.hasSubclass()) candidates.add(leaf.path());
        candidates.add(leaf.category() + "/" + leaf.cls());
        candidates.add(leaf.category());
        for (String path : candidates) {
            List<String> lines = byPath.get(path);
            if (lines != null) return Optional.of(lines);
        }
        return Optional.empty();
    }

    private static List<PromptProcessing.Replacement> replacements(JsonData.Document doc) {
        List<PromptProcessing.Replacement> out = new ArrayList<>();
        JsonNode table = doc.require("text_eval_replacements_in_order");
        if (!table.isArray()) throw doc.error("'text_eval_replacements_in_order' must be a list of [from, to] pairs");
        for (JsonNode pair : table) {
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()
                    || pair.get(0).textValue().isEmpty()) {
                throw doc.error("text_eval_replacements_in_order entries must be [from, to] string pairs with a "
                        + "non-empty from, got " + pair);
            }
            out.add(new PromptProcessing.Replacement(pair.get(0).textValue(), pair.get(1).textValue()));
        }
        return out;
    }
}
