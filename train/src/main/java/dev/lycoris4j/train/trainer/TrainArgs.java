package dev.lycoris4j.train.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.diffusion.scheduler.PredictionType;
import dev.lycoris4j.diffusion.scheduler.Schedulers;
import dev.lycoris4j.train.data.BucketSettings;
import dev.lycoris4j.train.data.CaptionSettings;
import dev.lycoris4j.train.data.DatasetConfig;
import dev.lycoris4j.train.data.DatasetDefaults;
import dev.lycoris4j.train.data.DatasetFolders;
import dev.lycoris4j.train.data.DatasetToml;
import dev.lycoris4j.train.data.Resolution;
import dev.lycoris4j.train.data.Subset;
import dev.lycoris4j.train.data.TomlFiles;
import dev.lycoris4j.train.network.ModuleConfig;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPreset;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Training arguments by kohya's names ({@code network_dim}, {@code max_train_steps}, …), as text, from the command
 * line and from a kohya-style config file ({@code --config train.toml}: the same names as keys, at the top level or
 * in any table), resolved into a {@link TrainConfig}. Values are looked up in layers, the first that has a key wins:
 * <ol>
 *   <li>what the user gave (command line over config file);</li>
 *   <li>with {@code preset_paper}, the paper's settings ({@link #paperDefaults});</li>
 *   <li>without {@code train_data_dir} and {@code dataset_config}, the example dataset's settings ({@link #EXAMPLE});</li>
 *   <li>kohya's defaults ({@link #DEFAULTS}).</li>
 * </ol>
 * {@code network_args} and {@code optimizer_args} ({@code key=value} lists) merge by key across the layers instead.
 */
public final class TrainArgs {

    enum Kind { PATH, TEXT, INT, LONG, NUMBER, BOOL, LIST }

    /** Every argument by its kohya name; {@code preset_paper}, {@code balance_classes}, … are ours. */
    static final Map<String, Kind> KEYS = keys();
    /** Short and hyphenated spellings. */
    static final Map<String, String> ALIASES = Map.of("model", "pretrained_model_name_or_path", "data", "train_data_dir",
            "o", "output_dir", "max_steps", "max_train_steps", "max_epochs", "max_train_epochs");

    /**
     * Arguments a resumed run may change: how long it goes on, how often it saves, its samples, and gradient
     * checkpointing (memory traded for time; the training computes the same).
     */
    static final Set<String> RESUMABLE_CHANGES = Set.of("max_train_steps", "max_train_epochs", "save_every_n_epochs",
            "save_every_n_steps", "sample_prompts", "sample_every_n_epochs", "sample_every_n_steps", "sample_sampler",
            "gradient_checkpointing");

    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("output_dir", "out/train"), Map.entry("algo", "lora"), Map.entry("network_dim", "4"),
            Map.entry("network_alpha", "1"), Map.entry("preset", "full"), Map.entry("learning_rate", "1e-4"),
            Map.entry("optimizer_type", "AdamW"), Map.entry("lr_scheduler", "constant"), Map.entry("lr_warmup_steps", "0"),
            Map.entry("lr_warmup_epochs", "0"), Map.entry("train_batch_size", "1"),
            Map.entry("gradient_accumulation_steps", "1"), Map.entry("max_grad_norm", "1.0"),
            Map.entry("resolution", "512"), Map.entry("enable_bucket", "false"),
            Map.entry("min_bucket_reso", Integer.toString(BucketSettings.KOHYA_MIN_SIZE)),
            Map.entry("max_bucket_reso", Integer.toString(BucketSettings.KOHYA_MAX_SIZE)),
            Map.entry("bucket_reso_steps", Integer.toString(BucketSettings.KOHYA_STEPS)),
            Map.entry("bucket_no_upscale", "false"), Map.entry("caption_extension", CaptionSettings.DEFAULT_EXTENSION),
            Map.entry("caption_dropout_rate", "0"), Map.entry("caption_tag_dropout_rate", "0"),
            Map.entry("shuffle_caption", "false"), Map.entry("keep_tokens", "0"), Map.entry("balance_classes", "false"),
            Map.entry("save_every_n_epochs", "0"), Map.entry("save_every_n_steps", "0"), Map.entry("save_precision", "float"),
            Map.entry("v_parameterization", "false"), Map.entry("clip_skip", "1"), Map.entry("network_train_unet_only", "false"),
            Map.entry("skip_bad_images", "false"), Map.entry("preset_paper", "false"), Map.entry("sample_sampler", "ddim"),
            Map.entry("sample_every_n_epochs", "0"), Map.entry("sample_every_n_steps", "0"),
            Map.entry("prior_loss_weight", "1.0"), Map.entry("gradient_checkpointing", "false"));
    /** kohya's {@code max_train_steps} default, used when neither a step nor an epoch limit is given. */
    static final String DEFAULT_MAX_STEPS = "1600";

    /** The example dataset: 128-pixel images in buckets from 64 to 256, 240 steps that save twice on the way. */
    static final Map<String, String> EXAMPLE = Map.of("resolution", "128", "enable_bucket", "true",
            "min_bucket_reso", "64", "max_bucket_reso", "256", "train_batch_size", "2", "max_train_epochs", "30",
            "save_every_n_epochs", "10", "learning_rate", "5e-4", "seed", "42");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> sources = new HashMap<>();

    /**
     * Sets an argument; {@code key} may be any spelling ({@code --network-dim}, {@code network_dim}, an alias) and
     * {@code source} names where it came from in errors ({@code --network_dim}, {@code train.toml}).
     */
    public TrainArgs put(String key, String value, String source) {
        String name = canonical(key);
        if (!KEYS.containsKey(name)) {
            throw new IllegalArgumentException(source + ": unknown training argument '" + name + "' (known: "
                    + String.join(", ", new TreeSet<>(KEYS.keySet())) + ")");
        }
        values.put(name, value);
        sources.put(name, source);
        return this;
    }

    /** A list argument ({@code network_args}, {@code optimizer_args}): its items, one per line of the value. */
    public TrainArgs putList(String key, List<String> items, String source) {
        return put(key, String.join("\n", items), source);
    }

    /** {@code --key} → {@code key}, hyphens → underscores, aliases → kohya's names. */
    static String canonical(String key) {
        String k = key.replaceFirst("^-+", "").replace('-', '_');
        return ALIASES.getOrDefault(k, k);
    }

    public boolean has(String key) {
        return values.containsKey(canonical(key));
    }

    /** The given arguments (kohya names → text). */
    public Map<String, String> values() {
        return Collections.unmodifiableMap(values);
    }

    /** Arguments from a kohya-style config file: keys at the top level or inside any table (tables are ignored). */
    public static TrainArgs fromFile(Path file) {
        JsonNode root = TomlFiles.read(file, "training config");
        TrainArgs args = new TrainArgs();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> inner = e.getValue().fields(); inner.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = inner.next();
                    args.putNode(f.getKey(), f.getValue(), file + " [" + e.getKey() + "]");
                }
            } else {
                args.putNode(e.getKey(), e.getValue(), file.toString());
            }
        }
        return args;
    }

    private void putNode(String key, JsonNode v, String source) {
        if (KEYS.get(canonical(key)) == Kind.LIST && v.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : v) items.add(TomlFiles.asText(item, source + " " + key));
            putList(key, items, source);
        } else {
            put(key, TomlFiles.asText(v, source + " " + key), source);
        }
    }

    /** These arguments over {@code lower} (for a command line over a config file). */
    public TrainArgs over(TrainArgs lower) {
        TrainArgs out = new TrainArgs();
        out.values.putAll(lower.values);
        out.sources.putAll(lower.sources);
        out.values.putAll(values);
        out.sources.putAll(sources);
        return out;
    }

    /**
     * The arguments of the run whose state is in {@code outputDir}, with {@code changes} applied; only how long the
     * run goes on, how often it saves and its samples may change.
     */
    public static TrainArgs forResume(Path outputDir, TrainArgs changes) {
        TrainArgs saved = new TrainArgs();
        Path state = TrainState.file(outputDir);
        TrainState.readArgs(state).forEach((k, v) -> saved.put(k, v, state.toString()));
        for (String key : changes.values.keySet()) {
            if (key.equals("output_dir")) continue;
            if (!RESUMABLE_CHANGES.contains(key)) {
                throw new IllegalArgumentException(changes.sources.get(key) + ": a resumed run keeps its arguments; only "
                        + String.join(", ", new TreeSet<>(RESUMABLE_CHANGES)) + " may change");
            }
        }
        TrainArgs out = changes.over(saved);
        out.put("output_dir", outputDir.toAbsolutePath().toString(), "--resume");
        return out;
    }

    /** The paper's training settings for {@code algorithm} (evaluation spec §1.10 and the LyCORIS paper). */
    static Map<String, String> paperDefaults(Algorithm algorithm) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("optimizer_args", "weight_decay=0.1\nbetas=0.9,0.99");
        m.put("lr_scheduler", "constant_with_warmup");
        m.put("lr_warmup_epochs", "5");
        m.put("max_grad_norm", "1.0");
        m.put("resolution", "512");
        m.put("enable_bucket", "true");
        m.put("min_bucket_reso", "320");
        m.put("max_bucket_reso", "960");
        m.put("train_batch_size", "8");
        m.put("caption_dropout_rate", "0.05");
        m.put("max_train_epochs", "50");
        m.put("max_train_steps", "10000");
        m.put("save_every_n_epochs", "5");
        m.put("preset", "attn-mlp");
        m.put("conv_dim", "0");
        m.put("clip_skip", "1");
        m.put("learning_rate", algorithm == Algorithm.FULL ? "1e-6" : "5e-4");
        switch (algorithm) {
            case LORA -> { m.put("network_dim", "8"); m.put("network_alpha", "4"); }
            case LOHA -> { m.put("network_dim", "4"); m.put("network_alpha", "2"); }
            case LOKR -> { m.put("network_dim", "10000"); m.put("network_alpha", "1"); m.put("network_args", "factor=8"); }
            default -> { }
        }
        return m;
    }

    /** Resolves the arguments into a config; writes the example dataset when no data is given. */
    public TrainConfig resolve(Consumer<String> log) throws IOException {
        Lookup a = new Lookup();
        Path out = a.path("output_dir");
        Path model = a.has("pretrained_model_name_or_path") ? a.path("pretrained_model_name_or_path") : null;

        Map<String, String> network = a.pairs("network_args");
        Algorithm algorithm = Algorithm.parse(network.getOrDefault("algo", a.text("algo")));
        if (a.bool("preset_paper")) a.layers.add(1, paperDefaults(algorithm));
        network = a.pairs("network_args");
        boolean example = !a.has("train_data_dir") && !a.has("dataset_config");
        if (example) a.layers.add(a.layers.size() - 1, EXAMPLE);

        Map<String, String> given = new LinkedHashMap<>(values);
        if (!a.has("seed")) given.put("seed", Long.toString(new SecureRandom().nextLong(1L << 32)));
        a.layers.set(0, given);

        List<DatasetConfig> datasets = datasets(a, out, example, log);
        NetworkConfig net = network(a, algorithm, network);
        OptimizerConfig optimizer = optimizer(a, net.trainTextEncoder());
        boolean stepsGiven = a.has("max_train_steps");
        int maxEpochs = a.has("max_train_epochs") ? a.integer("max_train_epochs") : 0;
        long maxSteps = stepsGiven ? a.longValue("max_train_steps") : maxEpochs > 0 ? 0 : Long.parseLong(DEFAULT_MAX_STEPS);
        for (Map.Entry<String, Kind> k : KEYS.entrySet()) {
            if (k.getValue() == Kind.PATH && given.containsKey(k.getKey())) {
                given.put(k.getKey(), Path.of(given.get(k.getKey())).toAbsolutePath().toString());
            }
        }
        given.put("output_dir", out.toAbsolutePath().toString());
        return new TrainConfig(model, datasets, out, net, network.getOrDefault("preset", a.text("preset")), optimizer,
                LrSchedule.Kind.parse(a.text("lr_scheduler")), a.longValue("lr_warmup_steps"), a.integer("lr_warmup_epochs"),
                a.integer("gradient_accumulation_steps"), maxSteps, maxEpochs, a.longValue("seed"),
                a.integer("save_every_n_epochs"), a.longValue("save_every_n_steps"),
                a.bool("v_parameterization") ? PredictionType.V_PREDICTION : null, a.integer("clip_skip"),
                saveDtype(a.text("save_precision")), a.number("prior_loss_weight"), a.bool("skip_bad_images"),
                a.bool("gradient_checkpointing"), a.has("latent_cache_dir") ? a.path("latent_cache_dir") : null, samples(a), given);
    }

    private static List<DatasetConfig> datasets(Lookup a, Path out, boolean example, Consumer<String> log) throws IOException {
        BucketSettings buckets = BucketSettings.of(Resolution.parse(a.text("resolution")), a.bool("enable_bucket"),
                a.integer("min_bucket_reso"), a.integer("max_bucket_reso"), a.integer("bucket_reso_steps"),
                a.bool("bucket_no_upscale"));
        CaptionSettings captions = new CaptionSettings(a.text("caption_extension"), a.integer("keep_tokens"),
                a.bool("shuffle_caption"), a.number("caption_dropout_rate"), a.number("caption_tag_dropout_rate"));
        DatasetDefaults defaults = new DatasetDefaults(buckets, a.integer("train_batch_size"), captions, a.bool("balance_classes"));
        if (a.has("dataset_config")) {
            if (a.has("reg_data_dir")) {
                throw new IllegalArgumentException(a.source("reg_data_dir") + ": reg_data_dir goes with train_data_dir; "
                        + "in a dataset config mark regularisation subsets with is_reg = true");
            }
            return DatasetToml.read(a.path("dataset_config"), defaults);
        }
        Path dir = example ? ExampleDataset.extract(out.resolve("example-data")) : a.path("train_data_dir");
        if (example) log.accept("no --data given: training on the example dataset in " + dir);
        List<Subset> subsets = new ArrayList<>(DatasetFolders.subsets(dir, captions, false, log));
        if (a.has("reg_data_dir")) subsets.addAll(DatasetFolders.subsets(a.path("reg_data_dir"), captions, true, log));
        return List.of(new DatasetConfig(subsets, buckets, defaults.batchSize(), defaults.balanceClasses()));
    }

    private static NetworkConfig network(Lookup a, Algorithm algorithm, Map<String, String> args) {
        int dim = args.containsKey("dim") ? parseInt("network_args dim", args.get("dim")) : a.integer("network_dim");
        double alpha = a.number("network_alpha");
        AdapterConfig.Builder b = AdapterConfig.builder(algorithm, dim, alpha);
        double dropout = a.has("network_dropout") ? a.number("network_dropout") : 0;
        b.dropout(dropout);
        int convDim = a.has("conv_dim") ? a.integer("conv_dim") : dim;
        double convAlpha = a.has("conv_alpha") ? a.number("conv_alpha") : alpha;
        boolean trainNorm = false;
        String preset = a.text("preset");
        for (Map.Entry<String, String> e : args.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            String where = "network_args " + k;
            switch (k) {
                case "algo", "dim" -> { }
                case "preset" -> preset = v;
                case "conv_dim" -> convDim = parseInt(where, v);
                case "conv_alpha" -> convAlpha = parseNumber(where, v);
                case "dropout" -> b.dropout(parseNumber(where, v));
                case "rank_dropout" -> b.rankDropout(parseNumber(where, v));
                case "module_dropout" -> b.moduleDropout(parseNumber(where, v));
                case "train_norm" -> trainNorm = parseBool(where, v);
                default -> {
                    ModuleConfig.Option o = ModuleConfig.OPTIONS.get(k);
                    if (o == null) {
                        throw new IllegalArgumentException("unknown network_args key '" + k + "' (known: algo, preset, dim, "
                                + "conv_dim, conv_alpha, dropout, rank_dropout, module_dropout, train_norm, "
                                + String.join(", ", new TreeSet<>(ModuleConfig.OPTIONS.keySet())) + ")");
                    }
                    o.setter().accept(b, switch (o.kind()) {
                        case BOOLEAN -> parseBool(where, v);
                        case INTEGER -> parseInt(where, v);
                        case NUMBER -> parseNumber(where, v);
                    });
                }
            }
        }
        return new NetworkConfig(b.build(), convDim, convAlpha, trainNorm, !a.bool("network_train_unet_only"),
                NetworkPreset.resolve(preset));
    }

    private static OptimizerConfig optimizer(Lookup a, boolean trainTextEncoder) {
        String type = a.text("optimizer_type").toLowerCase(Locale.ROOT);
        if (!type.equals("adamw")) {
            throw new IllegalArgumentException(a.source("optimizer_type") + ": optimizer_type '" + a.text("optimizer_type")
                    + "' is not available; this trainer implements AdamW");
        }
        double lr = a.number("learning_rate");
        double unetLr = a.has("unet_lr") ? a.number("unet_lr") : lr;
        double teLr = !trainTextEncoder ? 0 : a.has("text_encoder_lr") ? a.number("text_encoder_lr") : lr;
        OptimizerConfig d = OptimizerConfig.torchDefaults(lr);
        double weightDecay = d.weightDecay();
        double beta1 = d.beta1();
        double beta2 = d.beta2();
        double eps = d.eps();
        for (Map.Entry<String, String> e : a.pairs("optimizer_args").entrySet()) {
            String where = "optimizer_args " + e.getKey();
            switch (e.getKey()) {
                case "weight_decay" -> weightDecay = parseNumber(where, e.getValue());
                case "eps" -> eps = parseNumber(where, e.getValue());
                case "betas" -> {
                    String[] parts = e.getValue().replaceAll("[()\\s]", "").split(",");
                    if (parts.length != 2) throw new IllegalArgumentException(where + ": expected two numbers, got '" + e.getValue() + "'");
                    beta1 = parseNumber(where, parts[0]);
                    beta2 = parseNumber(where, parts[1]);
                }
                default -> throw new IllegalArgumentException("unknown optimizer_args key '" + e.getKey()
                        + "' (AdamW takes weight_decay, betas, eps)");
            }
        }
        return new OptimizerConfig(unetLr, teLr, weightDecay, beta1, beta2, eps, a.number("max_grad_norm"));
    }

    private static SampleSettings samples(Lookup a) {
        if (!a.has("sample_prompts")) return null;
        String sampler = a.text("sample_sampler").toLowerCase(Locale.ROOT);
        if (!Schedulers.NAMES.contains(sampler)) {
            throw new IllegalArgumentException(a.source("sample_sampler") + ": sample_sampler must be one of "
                    + String.join(", ", Schedulers.NAMES) + ", got '" + sampler + "'");
        }
        return new SampleSettings(a.path("sample_prompts"), a.integer("sample_every_n_epochs"),
                a.longValue("sample_every_n_steps"), sampler);
    }

    private static DType saveDtype(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "float", "fp32", "float32" -> DType.F32;
            case "fp16", "float16" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("save_precision must be float, fp16 or bf16, got '" + name + "'");
        };
    }

    /** The network_args a run was given, for its metadata. */
    static Map<String, String> networkArgs(Map<String, String> args) {
        return parsePairs("network_args", args.getOrDefault("network_args", ""));
    }

    /** {@code key=value} items, one per line or separated by spaces. */
    private static Map<String, String> parsePairs(String name, String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String item : text.split("\\s+")) {
            if (item.isEmpty()) continue;
            int eq = item.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException(name + ": expected key=value, got '" + item + "'");
            out.put(item.substring(0, eq).strip(), item.substring(eq + 1).strip());
        }
        return out;
    }

    /** Looks arguments up through the layers (given, then the optional ones, then kohya's defaults). */
    private final class Lookup {
        final List<Map<String, String>> layers = new ArrayList<>(List.of(values, DEFAULTS));

        boolean has(String key) {
            for (Map<String, String> l : layers) if (l.containsKey(key)) return true;
            return false;
        }

        String text(String key) {
            for (Map<String, String> l : layers) if (l.containsKey(key)) return l.get(key);
            throw new IllegalArgumentException("missing training argument " + key);
        }

        /** Where the value of {@code key} comes from, for errors. */
        String source(String key) {
            return values.containsKey(key) ? sources.get(key) : "default " + key;
        }

        /** A key=value list merged over all layers, higher layers overriding single keys. */
        Map<String, String> pairs(String key) {
            Map<String, String> out = new LinkedHashMap<>();
            for (int i = layers.size() - 1; i >= 0; i--) {
                String v = layers.get(i).get(key);
                if (v != null) out.putAll(parsePairs(source(key) + ": " + key, v));
            }
            return out;
        }

        Path path(String key) {
            return Path.of(text(key));
        }

        int integer(String key) {
            return parseInt(source(key) + ": " + key, text(key));
        }

        long longValue(String key) {
            try {
                return Long.parseLong(text(key).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source(key) + ": " + key + " must be an integer, got '" + text(key) + "'");
            }
        }

        double number(String key) {
            return parseNumber(source(key) + ": " + key, text(key));
        }

        boolean bool(String key) {
            return parseBool(source(key) + ": " + key, text(key));
        }
    }

    private static int parseInt(String where, String v) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " must be an integer, got '" + v + "'");
        }
    }

    private static double parseNumber(String where, String v) {
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " must be a number, got '" + v + "'");
        }
    }

    private static boolean parseBool(String where, String v) {
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(where + " must be true or false, got '" + v + "'");
        };
    }

    private static Map<String, Kind> keys() {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (String k : List.of("pretrained_model_name_or_path", "train_data_dir", "dataset_config", "output_dir",
                "latent_cache_dir", "sample_prompts", "reg_data_dir")) m.put(k, Kind.PATH);
        for (String k : List.of("algo", "preset", "optimizer_type", "lr_scheduler", "resolution", "caption_extension",
                "save_precision", "sample_sampler")) m.put(k, Kind.TEXT);
        for (String k : List.of("network_dim", "conv_dim", "lr_warmup_epochs", "train_batch_size",
                "gradient_accumulation_steps", "max_train_epochs", "min_bucket_reso", "max_bucket_reso",
                "bucket_reso_steps", "keep_tokens", "save_every_n_epochs", "clip_skip", "sample_every_n_epochs")) m.put(k, Kind.INT);
        for (String k : List.of("lr_warmup_steps", "max_train_steps", "seed", "save_every_n_steps", "sample_every_n_steps")) m.put(k, Kind.LONG);
        for (String k : List.of("network_alpha", "conv_alpha", "network_dropout", "learning_rate", "unet_lr",
                "text_encoder_lr", "max_grad_norm", "caption_dropout_rate", "caption_tag_dropout_rate",
                "prior_loss_weight")) m.put(k, Kind.NUMBER);
        for (String k : List.of("network_train_unet_only", "v_parameterization", "enable_bucket", "bucket_no_upscale",
                "shuffle_caption", "balance_classes", "skip_bad_images", "preset_paper", "gradient_checkpointing")) m.put(k, Kind.BOOL);
        for (String k : List.of("network_args", "optimizer_args")) m.put(k, Kind.LIST);
        return Collections.unmodifiableMap(m);
    }
}
