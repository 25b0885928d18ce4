package dev.lycoris4j.train.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * kohya's dataset config ({@code --dataset_config}):
 * <pre>
 * [general]                       # applies to every dataset and subset
 * shuffle_caption = true
 * keep_tokens = 1
 * [[datasets]]
 * resolution = 512                # or [width, height]
 * batch_size = 4
 * enable_bucket = true
 *   [[datasets.subsets]]
 *   image_dir = "img/sks_dog"     # relative to this file's folder (kohya: to the working directory)
 *   class_tokens = "sks dog"
 *   num_repeats = 10
 * </pre>
 * Subset keys may also sit in a dataset or in {@code [general]}; dataset keys in {@code [general]}. The innermost
 * value wins; keys no table sets take the command line's values. Unknown keys are errors, as in kohya (which
 * also knows options this trainer does not implement: those are errors too, never silently ignored).
 */
public final class DatasetToml {
    private DatasetToml() {}

    private static final Set<String> SUBSET_KEYS = Set.of("image_dir", "num_repeats", "class_tokens",
            "caption_extension", "keep_tokens", "shuffle_caption", "caption_dropout_rate", "caption_tag_dropout_rate",
            "is_reg");
    private static final Set<String> DATASET_KEYS = Set.of("resolution", "batch_size", "enable_bucket",
            "min_bucket_reso", "max_bucket_reso", "bucket_reso_steps", "bucket_no_upscale", "balance_classes");

    public static List<DatasetConfig> read(Path file, DatasetDefaults defaults) {
        JsonNode root = TomlFiles.read(file, "dataset config");
        String source = file.toString();
        checkKeys(root, Set.of("general", "datasets"), source, "the top level");
        Map<String, JsonNode> general = table(root.get("general"), union(SUBSET_KEYS, DATASET_KEYS), source, "[general]");
        JsonNode datasets = root.get("datasets");
        if (datasets == null || !datasets.isArray() || datasets.isEmpty()) {
            throw new IllegalArgumentException(source + ": no [[datasets]] table");
        }
        Path base = file.toAbsolutePath().getParent();
        List<DatasetConfig> out = new ArrayList<>();
        for (int d = 0; d < datasets.size(); d++) {
            String where = "[[datasets]] #" + (d + 1);
            JsonNode dataset = datasets.get(d);
            Map<String, JsonNode> values = new LinkedHashMap<>(general);
            values.putAll(table(dataset, union(union(SUBSET_KEYS, DATASET_KEYS), Set.of("subsets")), source, where));
            values.remove("subsets");
            JsonNode subsets = dataset.get("subsets");
            if (subsets == null || !subsets.isArray() || subsets.isEmpty()) {
                throw new IllegalArgumentException(source + ": " + where + " has no [[datasets.subsets]]");
            }
            List<Subset> list = new ArrayList<>();
            for (int s = 0; s < subsets.size(); s++) {
                String subsetWhere = where + " subset #" + (s + 1);
                Map<String, JsonNode> subsetValues = new LinkedHashMap<>(values);
                subsetValues.putAll(table(subsets.get(s), SUBSET_KEYS, source, subsetWhere));
                list.add(subset(subsetValues, defaults.captions(), base, source + ": " + subsetWhere));
            }
            out.add(dataset(values, list, defaults, source + ": " + where));
        }
        return out;
    }

    private static Subset subset(Map<String, JsonNode> v, CaptionSettings fallback, Path base, String where) {
        JsonNode dir = v.get("image_dir");
        if (dir == null) throw new IllegalArgumentException(where + " has no image_dir");
        Path imageDir = base.resolve(TomlFiles.string(dir, where + " image_dir"));
        int repeats = v.containsKey("num_repeats") ? TomlFiles.integer(v.get("num_repeats"), where + " num_repeats") : 1;
        String classTokens = v.containsKey("class_tokens") ? TomlFiles.string(v.get("class_tokens"), where + " class_tokens") : null;
        boolean isReg = v.containsKey("is_reg") && TomlFiles.bool(v.get("is_reg"), where + " is_reg");
        CaptionSettings c = new CaptionSettings(
                v.containsKey("caption_extension") ? TomlFiles.string(v.get("caption_extension"), where + " caption_extension") : fallback.extension(),
                v.containsKey("keep_tokens") ? TomlFiles.integer(v.get("keep_tokens"), where + " keep_tokens") : fallback.keepTokens(),
                v.containsKey("shuffle_caption") ? TomlFiles.bool(v.get("shuffle_caption"), where + " shuffle_caption") : fallback.shuffleCaption(),
                v.containsKey("caption_dropout_rate") ? TomlFiles.number(v.get("caption_dropout_rate"), where + " caption_dropout_rate") : fallback.dropoutRate(),
                v.containsKey("caption_tag_dropout_rate") ? TomlFiles.number(v.get("caption_tag_dropout_rate"), where + " caption_tag_dropout_rate") : fallback.tagDropoutRate());
        try {
            return new Subset(imageDir, repeats, classTokens, c, isReg);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static DatasetConfig dataset(Map<String, JsonNode> v, List<Subset> subsets, DatasetDefaults d, String where) {
        BucketSettings b = d.buckets();
        Resolution resolution = v.containsKey("resolution") ? resolution(v.get("resolution"), where) : b.resolution();
        boolean enabled = v.containsKey("enable_bucket") ? TomlFiles.bool(v.get("enable_bucket"), where + " enable_bucket") : b.enabled();
        int min = v.containsKey("min_bucket_reso") ? TomlFiles.integer(v.get("min_bucket_reso"), where + " min_bucket_reso") : b.minSize();
        int max = v.containsKey("max_bucket_reso") ? TomlFiles.integer(v.get("max_bucket_reso"), where + " max_bucket_reso") : b.maxSize();
        int steps = v.containsKey("bucket_reso_steps") ? TomlFiles.integer(v.get("bucket_reso_steps"), where + " bucket_reso_steps") : b.steps();
        boolean noUpscale = v.containsKey("bucket_no_upscale") ? TomlFiles.bool(v.get("bucket_no_upscale"), where + " bucket_no_upscale") : b.noUpscale();
        int batch = v.containsKey("batch_size") ? TomlFiles.integer(v.get("batch_size"), where + " batch_size") : d.batchSize();
        boolean balance = v.containsKey("balance_classes") ? TomlFiles.bool(v.get("balance_classes"), where + " balance_classes") : d.balanceClasses();
        try {
            return new DatasetConfig(subsets, BucketSettings.of(resolution, enabled, min, max, steps, noUpscale), batch, balance);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Resolution resolution(JsonNode v, String where) {
        if (v.isArray() && v.size() == 2) {
            return new Resolution(TomlFiles.integer(v.get(0), where + " resolution[0]"), TomlFiles.integer(v.get(1), where + " resolution[1]"));
        }
        return Resolution.square(TomlFiles.integer(v, where + " resolution"));
    }

    private static Map<String, JsonNode> table(JsonNode node, Set<String> allowed, String source, String where) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (node == null) return out;
        if (!node.isObject()) throw new IllegalArgumentException(source + ": " + where + " must be a table");
        checkKeys(node, allowed, source, where);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String source, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(source + ": unknown or unsupported key '" + key + "' in " + where
                        + " (supported there: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }
}
