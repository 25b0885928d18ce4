package dev.lycoris4j.eval.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A metric column as the reference's 3-level header names it: metric, architecture, condition, e.g.
 * ({@code Image Similarity}, {@code DINOv2-padding}, {@code out}) for the CSV column
 * {@code Image Similarity (dinov2-l-fb-padding) (out)}. Conditions are the reference's tags: {@code in}
 * (paper: train), {@code out} (alter), {@code trigger}, {@code base model} (style); empty for FD and quality.
 */
public record MetricKey(String metric, String architecture, String condition) {

    /** How rank normalisation treats a metric. */
    public enum Kind {
        /** Higher is better: ranked ascending (Image Similarity, Text Similarity, Vendi). */
        SCORE,
        /** Lower is better: ranked descending so that 1 is still best (Squared Centroid Distance, Style Loss). */
        DISTANCE,
        /** Not ranked (FD, image quality, anything else). */
        RAW
    }

    /** The reference's encoder display names (preprocess.py); other encoder names stay as written. */
    private static final Map<String, String> ENCODERS = Map.of(
            "clip-L-14", "CLIP", "dinov2-l-fb", "DINOv2", "convnextv2-l", "ConvNeXt V2");

    public Kind kind() {
        return switch (metric) {
            case "Image Similarity", "Text Similarity", "Vendi" -> Kind.SCORE;
            case "Squared Centroid Distance", "Style Loss" -> Kind.DISTANCE;
            default -> Kind.RAW;
        };
    }

    /** {@code metric | architecture | condition}, the golden files' flattening of the 3-level header. */
    public String label() {
        return metric + " | " + architecture + " | " + condition;
    }

    /**
     * The paper's axis name: Squared Centroid Distance is "Image Similarity-SCD", Vendi "Diversity", Style
     * Loss "Model Preservation" on x and "Style Similarity" on y; conditions train / alter / trigger / style.
     */
    public String paperLabel(boolean yAxis) {
        String name = switch (metric) {
            case "Squared Centroid Distance" -> "Image Similarity-SCD";
            case "Vendi" -> "Diversity";
            case "Style Loss" -> yAxis ? "Style Similarity" : "Model Preservation";
            default -> metric;
        };
        String paperCondition = switch (condition) {
            case "in" -> "train";
            case "out" -> "alter";
            case "base model" -> "style";
            default -> condition;
        };
        String suffix = architecture.isEmpty() ? "" : ", " + architecture;
        return paperCondition.isEmpty() ? name + suffix : name + " (" + paperCondition + ")" + suffix;
    }

    /** The key of a reference CSV column: {@code Name (encoder-mode) (condition)} and its variants. */
    public static MetricKey ofReferenceColumn(String column) {
        Split split = split(column);
        List<String> groups = split.groups;
        return switch (groups.size()) {
            case 0 -> of(split.name, "", "");
            // Text Similarity and Style Loss name no encoder: their one group is the condition.
            case 1 -> impliedArchitecture(split.name) != null
                    ? of(split.name, "", groups.getFirst())
                    : of(split.name, groups.getFirst(), "");
            case 2 -> of(split.name, groups.get(0), groups.get(1));
            default -> throw new IllegalArgumentException("metric column '" + column
                    + "' has more than two parenthesised parts");
        };
    }

    /** The key of a metric column of this project's eval CSV, where the condition is a separate column. */
    public static MetricKey ofColumn(String column, String condition) {
        Split split = split(column);
        return switch (split.groups.size()) {
            case 0 -> of(split.name, "", condition);
            case 1 -> of(split.name, split.groups.getFirst(), condition);
            default -> throw new IllegalArgumentException("metric column '" + column
                    + "' has more than one parenthesised part (the condition belongs in prompt_type)");
        };
    }

    /** A user's choice of metric: a label {@code metric | architecture | condition} or a reference column name. */
    public static MetricKey parseSelector(String text) {
        if (!text.contains("|")) return ofReferenceColumn(text.strip());
        String[] parts = text.split("\\|", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("metric '" + text + "': expected 'metric | architecture | condition'");
        }
        return new MetricKey(parts[0].strip(), parts[1].strip(), parts[2].strip());
    }

    private static MetricKey of(String metric, String encoder, String condition) {
        String implied = impliedArchitecture(metric);
        return new MetricKey(metric, implied != null ? implied : renameEncoder(encoder), condition);
    }

    private static String impliedArchitecture(String metric) {
        return switch (metric) {
            case "Text Similarity" -> "CLIP";
            case "Style Loss" -> "Vgg19";
            default -> null;
        };
    }

    private static String renameEncoder(String encoder) {
        for (Map.Entry<String, String> e : ENCODERS.entrySet()) {
            if (encoder.equals(e.getKey()) || encoder.startsWith(e.getKey() + "-")) {
                return e.getValue() + encoder.substring(e.getKey().length());
            }
        }
        return encoder;
    }

    private record Split(String name, List<String> groups) {}

    /** {@code "A B (x) (y)"} → name {@code A B}, groups [x, y]: the trailing parenthesised parts. */
    private static Split split(String column) {
        List<String> groups = new ArrayList<>();
        String rest = column.strip();
        while (rest.endsWith(")")) {
            int open = rest.lastIndexOf('(');
            if (open < 0) throw new IllegalArgumentException("metric column '" + column + "' has an unmatched ')'");
            groups.addFirst(rest.substring(open + 1, rest.length() - 1));
            rest = rest.substring(0, open).strip();
        }
        if (rest.isEmpty()) throw new IllegalArgumentException("metric column '" + column + "' has no metric name");
        return new Split(rest, groups);
    }
}
