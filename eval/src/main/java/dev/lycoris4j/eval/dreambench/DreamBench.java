package dev.lycoris4j.eval.dreambench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.eval.prompts.JsonData;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The DreamBench dataset description (google/dreambooth {@code prompts_and_classes.txt}, as
 * {@code dreambench.json}, spec §3): 30 subjects with their class word and whether they are live (cats and
 * dogs), and the 25 prompt templates for objects and for live subjects.
 */
public record DreamBench(List<Subject> subjects, List<String> objectPrompts, List<String> livePrompts, int imagesPerPrompt) {
    /** The built-in copy of the shared data file. */
    public static final String BUILT_IN = "/dev/lycoris4j/eval/dreambench/dreambench.json";
    public static final String UNIQUE_TOKEN = "{unique_token}";
    public static final String CLASS_TOKEN = "{class_token}";

    /** One subject: its folder name under the dataset, class word, live or object, number of real images. */
    public record Subject(String name, String cls, boolean live, int numImages) {}

    public DreamBench {
        subjects = List.copyOf(subjects);
        objectPrompts = List.copyOf(objectPrompts);
        livePrompts = List.copyOf(livePrompts);
        if (imagesPerPrompt < 1) throw new IllegalArgumentException("images per prompt must be at least 1");
    }

    public static DreamBench load(Path json) {
        return of(JsonData.read(json));
    }

    public static DreamBench builtIn() {
        return of(JsonData.resource(BUILT_IN));
    }

    private static DreamBench of(JsonData.Document doc) {
        List<Subject> subjects = new ArrayList<>();
        JsonNode list = doc.require("subjects");
        if (!list.isArray() || list.isEmpty()) throw doc.error("'subjects' must be a non-empty list");
        for (JsonNode s : list) {
            String where = "subjects[" + subjects.size() + "]";
            JsonNode live = s.get("live");
            JsonNode count = s.get("num_images");
            if (live == null || !live.isBoolean()) throw doc.error(where + ".live must be true or false");
            if (count == null || !count.canConvertToInt() || count.intValue() < 1) throw doc.error(where + ".num_images must be a positive integer");
            subjects.add(new Subject(doc.string(s.get("subject"), where + ".subject"), doc.string(s.get("class"), where + ".class"),
                    live.booleanValue(), count.intValue()));
        }
        JsonNode perPrompt = doc.require("images_per_prompt");
        if (!perPrompt.canConvertToInt()) throw doc.error("'images_per_prompt' must be an integer");
        return new DreamBench(subjects, doc.strings(doc.require("object_prompts"), "object_prompts"),
                doc.strings(doc.require("live_subject_prompts"), "live_subject_prompts"), perPrompt.intValue());
    }

    public Subject subject(String name) {
        for (Subject s : subjects) if (s.name().equals(name)) return s;
        throw new IllegalArgumentException("unknown DreamBench subject '" + name + "'");
    }

    /** The subject's prompts: the live or the object list, {@code {unique_token}} and {@code {class_token}} filled. */
    public List<String> prompts(Subject subject, String uniqueToken) {
        List<String> templates = subject.live() ? livePrompts : objectPrompts;
        return templates.stream().map(t -> t.replace(UNIQUE_TOKEN, uniqueToken).replace(CLASS_TOKEN, subject.cls())).toList();
    }
}
