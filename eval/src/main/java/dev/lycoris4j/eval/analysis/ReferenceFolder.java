package dev.lycoris4j.eval.analysis;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The reference's parsing of a metrics CSV {@code Folder} ({@code preprocess.py}), e.g.
 * {@code 85/ddim-v1-5-pruned-emaonly-exp-1001-sd15-lora8a4-a-000010/people/Admiral_Piett/figurine}:
 * an all-digit first component is a weight ({@code 85} → 0.85) and is removed; the model component from
 * its first {@code exp} up to the next {@code exp} is split on {@code -}; a last part a/b/c is the seed of
 * a final (step 50) checkpoint, otherwise the last part is the step and the one before it the seed; the
 * rest is the Config. Then category, class and an optional sub-class.
 */
public record ReferenceFolder(String config, String seed, int step, double weight, Concept concept) {

    /** Seeds of the final checkpoints, whose folders carry no step. */
    private static final Set<String> FINAL_SEEDS = Set.of("a", "b", "c");
    /** The step of a final checkpoint: the reference's 50 epochs. */
    private static final int FINAL_STEP = 50;

    /** Only folders of experiments are analysed (the reference drops the base model's rows this way). */
    public static boolean isExperiment(String folder) {
        return folder.contains("exp");
    }

    /** Parses an experiment folder; the message of a failure says what is wrong, without location. */
    public static ReferenceFolder parse(String folder) {
        List<String> parts = Arrays.asList(folder.split("/", -1));
        double weight = 1;
        if (!parts.isEmpty() && !parts.getFirst().isEmpty() && parts.getFirst().chars().allMatch(Character::isDigit)) {
            weight = Double.parseDouble("0." + parts.getFirst());
            parts = parts.subList(1, parts.size());
        }
        if (parts.size() < 3) {
            throw new IllegalArgumentException("folder '" + folder
                    + "' is not a leaf: expected [weight/]model/category/class[/subclass]");
        }
        String model = parts.getFirst();
        int first = model.indexOf("exp");
        if (first < 0) throw new IllegalArgumentException("model folder '" + model + "' contains no 'exp'");
        int second = model.indexOf("exp", first + 3);
        String[] pieces = model.substring(first, second < 0 ? model.length() : second).split("-", -1);
        String last = pieces[pieces.length - 1];
        String config;
        String seed;
        int step;
        if (FINAL_SEEDS.contains(last)) {
            config = String.join("-", Arrays.copyOf(pieces, pieces.length - 1));
            seed = last;
            step = FINAL_STEP;
        } else {
            if (pieces.length < 3) {
                throw new IllegalArgumentException("model folder '" + model
                        + "' does not end in -<seed>-<step> or -a/-b/-c");
            }
            config = String.join("-", Arrays.copyOf(pieces, pieces.length - 2));
            seed = pieces[pieces.length - 2];
            step = parseStep(last, model);
        }
        Concept concept = new Concept(parts.get(1), parts.get(2), parts.size() > 3 ? parts.get(3) : "");
        return new ReferenceFolder(config, seed, step, weight, concept);
    }

    private static int parseStep(String text, String model) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("model folder '" + model + "': step '" + text + "' is not an integer");
        }
    }
}
