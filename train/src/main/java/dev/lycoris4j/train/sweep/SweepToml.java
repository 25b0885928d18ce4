package dev.lycoris4j.train.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lycoris4j.eval.run.EvalConfig;
import dev.lycoris4j.eval.run.EvalToml;
import dev.lycoris4j.eval.run.TomlTable;
import dev.lycoris4j.train.trainer.TrainArgs;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads {@code sweep.toml} (docs/sweep.md) into a {@link SweepConfig}: every run's training arguments are composed
 * and checked here, so that a mistake in the ninth run's settings stops the sweep before the first one trains.
 * Paths are relative to the sweep file's folder; unknown keys are errors.
 */
public final class SweepToml {
    private SweepToml() {}

    private static final Set<String> TOP = Set.of("output", "seeds", "epochs", "train", "algorithms", "vary", "eval");
    /** The training arguments the sweep sets for every run, and why they cannot be given. */
    private static final Map<String, String> MANAGED = Map.of(
            "output_dir", "each run trains in <output>/runs/<name>",
            "seed", "the runs' seeds come from seeds = [...]",
            "max_train_epochs", "every run trains to the last of epochs = [...]",
            "max_train_steps", "every run trains to the last of epochs = [...], with no step limit",
            "save_every_n_epochs", "checkpoints are saved at epochs = [...]");
    /** Short names of common varied keys in run folder names. */
    private static final Map<String, String> SHORT = Map.of("learning_rate", "lr", "network_dim", "dim",
            "network_alpha", "alpha");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    private static final String NETWORK_ARGS = "network_args";

    /** One [[algorithms]] table: its name and its own training arguments. */
    private record AlgorithmTable(String name, TrainArgs args) {}

    /** One value of the varied hyperparameter: its text in run names and its training arguments. */
    private record Value(String text, TrainArgs args) {}

    /** The varied hyperparameter (its name in run names) and its values; no key and one empty value without [vary]. */
    private record Varied(String key, List<Value> values) {
        static final Varied NONE = new Varied(null, List.of(new Value(null, new TrainArgs())));
    }

    public static SweepConfig read(Path file) {
        TomlTable top = TomlTable.read(file).allowOnly(TOP);
        Path output = top.requiredPath("output");
        List<Long> seeds = distinct(top, "seeds", top.longs("seeds"), "the training seeds, such as seeds = [23, 24, 25]");
        List<Integer> epochs = epochs(top);
        TomlTable trainTable = top.table("train");
        TrainArgs shared = trainArgs(trainTable, trainTable.rawWithout());
        List<AlgorithmTable> algorithms = algorithms(top, shared);
        Varied varied = top.has("vary") ? varied(top.table("vary")) : Varied.NONE;

        List<SweepConfig.Run> runs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<EvalConfig.Labels, String> labelOwners = new HashMap<>();
        for (AlgorithmTable algorithm : algorithms) {
            for (Value value : varied.values()) {
                for (long seed : seeds) {
                    String name = algorithm.name() + (value.text() == null ? "" : "-" + folderPart(varied.key(), value.text()))
                            + "-seed" + seed;
                    Path dir = output.resolve(SweepConfig.RUNS).resolve(name);
                    TrainArgs args = managed(file, epochs, dir, seed)
                            .overMergingLists(value.args().overMergingLists(algorithm.args().overMergingLists(shared)));
                    TrainArgs.Hyperparameters h;
                    try {
                        h = args.hyperparameters();
                    } catch (IllegalArgumentException e) {
                        // Errors of a value name their table already; those of a combination name the run.
                        throw e.getMessage().startsWith(file.toString()) ? e : top.error("run " + name + ": " + e.getMessage());
                    }
                    SweepConfig.Run run = new SweepConfig.Run(name, dir, seed, args.values(), h);
                    if (!names.add(name)) throw top.error("two runs would share the folder runs/" + name + ": make the values' names differ");
                    String sameLabels = labelOwners.putIfAbsent(SweepConfig.labels(run, 0), name);
                    if (sameLabels != null) {
                        throw top.error("runs " + sameLabels + " and " + name + " would get the same results CSV labels "
                                + "(algo, preset, lr, dim, alpha, factor, seed), so their rows could not be told apart: "
                                + "vary a hyperparameter the CSV records (algo, preset, learning_rate, network_dim, "
                                + "network_alpha, network_args.factor)");
                    }
                    runs.add(run);
                }
            }
        }
        if (!top.has("eval")) throw top.error("[eval] is required: the evaluation settings (eval.toml's keys but [[checkpoints]])");
        return evaluated(file, output, epochs, runs, top.table("eval").allowOnly(EvalToml.SETTINGS));
    }

    /**
     * The sweep with its evaluation settings. The base model defaults to the one the runs train; when they train the
     * built-in tiny model, evaluation builds its own copy (the same weights: a fixed seed) into the sweep's folder.
     */
    private static SweepConfig evaluated(Path file, Path output, List<Integer> epochs, List<SweepConfig.Run> runs, TomlTable t) {
        Set<String> models = new TreeSet<>();
        boolean tiny = false;
        for (SweepConfig.Run run : runs) {
            String model = run.args().get("pretrained_model_name_or_path");
            if (model == null) tiny = true;
            else models.add(model);
        }
        if (!t.has("model") && models.size() + (tiny ? 1 : 0) > 1) {
            throw t.error("the runs train different models: set model, the base model the adapters are evaluated on");
        }
        Path tinyModel = tiny && !t.has("model") ? output.resolve("model") : null;
        Path model = tinyModel != null ? tinyModel : models.isEmpty() ? null : Path.of(models.iterator().next());
        return new SweepConfig(file, output, epochs, runs, EvalToml.settings(t, model, output.resolve("eval")), tinyModel);
    }

    private static List<Integer> epochs(TomlTable top) {
        List<Long> given = distinct(top, "epochs", top.longs("epochs"),
                "the checkpoint epochs to evaluate, such as epochs = [10, 20, 30, 40, 50]");
        List<Integer> out = new ArrayList<>();
        for (long e : given) {
            if (e < 1 || e > Integer.MAX_VALUE) throw top.error("epochs must be positive, got " + e);
            out.add((int) e);
        }
        return out.stream().sorted().toList();
    }

    private static List<Long> distinct(TomlTable top, String key, List<Long> values, String what) {
        if (values.isEmpty()) throw top.error("'" + key + "' is required: " + what);
        if (new HashSet<>(values).size() != values.size()) throw top.error(key + " lists a value twice: " + values);
        return values;
    }

    private static List<AlgorithmTable> algorithms(TomlTable top, TrainArgs shared) {
        List<TomlTable> tables = top.tables("algorithms");
        if (tables.isEmpty()) {
            throw top.error("at least one [[algorithms]] table is required (algo and its network settings, such as "
                    + "algo = \"lora\", network_dim = 8, network_alpha = 4)");
        }
        List<AlgorithmTable> out = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            TomlTable t = tables.get(i);
            TrainArgs args = trainArgs(t, t.rawWithout("name"));
            String name = t.string("name", null);
            if (name == null) {
                try {
                    name = args.overMergingLists(shared).hyperparameters().algorithm().id();
                } catch (IllegalArgumentException e) {
                    throw t.locate(e);
                }
            }
            if (!NAME.matcher(name).matches()) {
                throw t.error("name '" + name + "' must be letters, digits, '.', '_', '+' or '-' (it names the run folders)");
            }
            Integer other = names.putIfAbsent(name, i + 1);
            if (other != null) {
                throw t.error("name '" + name + "' is taken by [[algorithms]] #" + other + ": give each algorithm its own name");
            }
            out.add(new AlgorithmTable(name, args));
        }
        return out;
    }

    /** {@code [vary]}: one training argument, or one item of network_args ({@code network_args.factor}), and its values. */
    private static Varied varied(TomlTable vary) {
        List<String> keys = vary.keys();
        if (keys.size() != 1) {
            throw vary.error("varies exactly one hyperparameter, got " + (keys.isEmpty() ? "none" : String.join(", ", keys)));
        }
        String key = keys.getFirst();
        JsonNode node = vary.raw(key);
        String argument = key;
        if (key.equals(NETWORK_ARGS)) {
            if (!node.isObject() || node.size() != 1) {
                throw vary.error("vary one item of network_args, such as network_args.factor = [4, 8, 12]");
            }
            argument = node.fieldNames().next();
            node = node.get(argument);
        } else if (key.equals("optimizer_args")) {
            throw vary.error("optimizer_args cannot be varied; vary learning_rate or a network setting");
        } else if (MANAGED.containsKey(key)) {
            throw vary.error(key + " cannot be varied: " + MANAGED.get(key));
        }
        if (!node.isArray() || node.isEmpty()) throw vary.error(key + " must be a non-empty list of values, got " + node);
        List<Value> values = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode v : node) {
            if (!v.isValueNode()) throw vary.error(key + " must be a list of values, got " + node);
            String text = v.isFloatingPointNumber() ? compact(v.doubleValue()) : v.asText();
            if (!seen.add(text)) throw vary.error(key + " lists the value " + text + " twice");
            ObjectNode table = JsonNodeFactory.instance.objectNode();
            if (key.equals(NETWORK_ARGS)) table.putArray(NETWORK_ARGS).add(argument + "=" + text);
            else table.put(key, text);
            values.add(new Value(text, trainArgs(vary, table)));
        }
        return new Varied(argument, values);
    }

    /** A table's training arguments (kohya names, paths relative to the sweep file), without those the sweep sets. */
    private static TrainArgs trainArgs(TomlTable t, JsonNode table) {
        TrainArgs args = TrainArgs.fromTable(table, t.where(), t.folder());
        for (String key : args.values().keySet()) {
            if (MANAGED.containsKey(key)) throw t.error(key + " is set by the sweep: " + MANAGED.get(key));
        }
        return args;
    }

    /**
     * What the sweep sets for a run: its folder and seed, no step limit, so that training runs to the last checkpoint
     * epoch (a preset_paper step limit cannot cut it short), and a save interval that hits every checkpoint epoch.
     */
    private static TrainArgs managed(Path file, List<Integer> epochs, Path dir, long seed) {
        int every = 0;
        for (int e : epochs) every = gcd(every, e);
        String source = file + " epochs";
        return new TrainArgs().put("output_dir", dir.toString(), file.toString())
                .put("seed", Long.toString(seed), file + " seeds")
                .put("max_train_epochs", Integer.toString(epochs.getLast()), source)
                .put("max_train_steps", "0", source)
                .put("save_every_n_epochs", Integer.toString(every), source);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** {@code lr5e-4}, {@code dim8}, {@code preset_attn-only}: a '_' only where key and value would run together. */
    private static String folderPart(String key, String value) {
        String k = SHORT.getOrDefault(key, key);
        String v = value.replaceAll("[^A-Za-z0-9._+-]", "_");
        return v.isEmpty() || Character.isLetter(v.charAt(0)) ? k + "_" + v : k + v;
    }

    /** The shorter of plain and exponent notation: {@code 5e-4}, {@code 1.5e-4}, {@code 0.5}, {@code 8}. */
    static String compact(double value) {
        BigDecimal d = BigDecimal.valueOf(value).stripTrailingZeros();
        String plain = d.toPlainString();
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String exp = (d.signum() < 0 ? "-" : "") + mantissa + "e" + exponent;
        return exp.length() < plain.length() ? exp : plain;
    }
}
