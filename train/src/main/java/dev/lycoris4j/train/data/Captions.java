package dev.lycoris4j.train.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The caption a step trains on, varied as kohya's {@code process_caption} varies it: first the whole caption is
 * dropped with the dropout rate; otherwise, when shuffling or tag dropout is on, the caption is split into
 * comma-separated tags, the first {@code keepTokens} stay in front, the rest are shuffled and then each is dropped
 * with the tag dropout rate, and the tags are joined again with {@code ", "}.
 */
public final class Captions {
    private Captions() {}

    public static String process(String caption, CaptionSettings s, RandomGenerator rng) {
        // One draw whenever dropout is on, whatever it decides, so later draws do not depend on the caption.
        if (s.dropoutRate() > 0 && rng.nextDouble() < s.dropoutRate()) return "";
        if (!s.shuffleCaption() && s.tagDropoutRate() <= 0) return caption;
        List<String> tags = new ArrayList<>();
        for (String t : caption.strip().split(",", -1)) tags.add(t.strip());
        int keep = Math.min(s.keepTokens(), tags.size());
        List<String> fixed = tags.subList(0, keep);
        List<String> flex = new ArrayList<>(tags.subList(keep, tags.size()));
        if (s.shuffleCaption()) Collections.shuffle(flex, rng);
        List<String> out = new ArrayList<>(fixed);
        for (String t : flex) if (s.tagDropoutRate() <= 0 || rng.nextDouble() >= s.tagDropoutRate()) out.add(t);
        return String.join(", ", out);
    }
}
