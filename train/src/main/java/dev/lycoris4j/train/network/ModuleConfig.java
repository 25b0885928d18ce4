package dev.lycoris4j.train.network;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * One entry of a preset's {@code module_algo_map} or {@code name_algo_map}: what differs from the
 * network-wide config for the modules it selects. Absent fields (null, or no entry in {@code options})
 * keep the network's value, as the reference's {@code cfg.get(key) or default} does.
 *
 * @param algorithm the {@code algo} key, or null
 * @param dim       the {@code dim} key (rank; for k×k convs too, which it enables even with conv off), or null
 * @param alpha     the {@code alpha} key, or null (0 also falls back, as in the reference)
 * @param options   the remaining keys, by their reference names ({@link #OPTIONS}), with Boolean, Integer or
 *                  Double values
 */
public record ModuleConfig(Algorithm algorithm, Integer dim, Double alpha, Map<String, Object> options) {

    /** Value kinds of the option keys, so a file's value can be checked and converted. */
    public enum Kind { BOOLEAN, INTEGER, NUMBER }

    /** An option key: its value kind and how it sets the adapter config. */
    public record Option(Kind kind, BiConsumer<AdapterConfig.Builder, Object> setter) {}

    /** The keys an algorithm entry may carry besides algo/dim/alpha, named as the reference names them. */
    public static final Map<String, Option> OPTIONS = optionTable();

    public static final ModuleConfig NONE = new ModuleConfig(null, null, null, Map.of());

    public ModuleConfig {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : options.entrySet()) {
            Option o = OPTIONS.get(e.getKey());
            if (o == null) {
                throw new IllegalArgumentException("unknown module option '" + e.getKey() + "'; known: algo, dim, alpha, "
                        + String.join(", ", new TreeMap<>(OPTIONS).keySet()));
            }
            Object v = e.getValue();
            boolean ok = switch (o.kind()) {
                case BOOLEAN -> v instanceof Boolean;
                case INTEGER -> v instanceof Integer;
                case NUMBER -> v instanceof Double;
            };
            if (!ok) {
                throw new IllegalArgumentException("module option '" + e.getKey() + "' must be "
                        + o.kind().name().toLowerCase() + ", got " + v);
            }
            copy.put(e.getKey(), v);
        }
        options = Collections.unmodifiableMap(copy);
    }

    /** Only options (e.g. {@code train_on_input}), keeping algorithm, dim and alpha. */
    public static ModuleConfig ofOptions(Map<String, Object> options) {
        return new ModuleConfig(null, null, null, options);
    }

    /**
     * The config a selected module gets: {@code base} with this entry's algorithm and options, at rank
     * {@code dim} and {@code alpha} (already chosen by the caller between this entry and the network's
     * linear or conv values).
     */
    public AdapterConfig applyTo(AdapterConfig base, int dim, double alpha) {
        AdapterConfig.Builder b = withAlgorithm(base, algorithm != null ? algorithm : base.algorithm()).toBuilder();
        b.dim(dim).alpha(alpha);
        for (Map.Entry<String, Object> e : options.entrySet()) OPTIONS.get(e.getKey()).setter().accept(b, e.getValue());
        return b.build();
    }

    /** {@code c} for another algorithm (the builder fixes the algorithm, so this copies the record). */
    static AdapterConfig withAlgorithm(AdapterConfig c, Algorithm a) {
        return new AdapterConfig(a, c.dim(), c.alpha(), c.useTucker(), c.useScalar(), c.rsLora(), c.dropout(),
                c.rankDropout(), c.rankDropoutScale(), c.moduleDropout(), c.weightDecompose(), c.wdOnOutput(), c.factor(),
                c.decomposeBoth(), c.fullMatrix(), c.unbalancedFactorization(), c.blockSize(), c.constraint(),
                c.rescaled(), c.trainOnInput(), c.a1(), c.a2());
    }

    private static Map<String, Option> optionTable() {
        Map<String, Option> m = new LinkedHashMap<>();
        m.put("use_tucker", flag((b, v) -> b.useTucker(v)));
        m.put("use_scalar", flag((b, v) -> b.useScalar(v)));
        m.put("rs_lora", flag((b, v) -> b.rsLora(v)));
        m.put("weight_decompose", flag((b, v) -> b.weightDecompose(v)));
        m.put("dora_wd", flag((b, v) -> b.weightDecompose(v))); // kohya's name for weight_decompose
        m.put("wd_on_output", flag((b, v) -> b.wdOnOutput(v)));
        m.put("factor", integer((b, v) -> b.factor(v)));
        m.put("decompose_both", flag((b, v) -> b.decomposeBoth(v)));
        m.put("full_matrix", flag((b, v) -> b.fullMatrix(v)));
        m.put("unbalanced_factorization", flag((b, v) -> b.unbalancedFactorization(v)));
        m.put("block_size", integer((b, v) -> b.blockSize(v)));
        m.put("constraint", new Option(Kind.NUMBER, (b, v) -> b.constraint((Double) v)));
        m.put("rescaled", flag((b, v) -> b.rescaled(v)));
        m.put("train_on_input", flag((b, v) -> b.trainOnInput(v)));
        m.put("a1", integer((b, v) -> b.a1(v)));
        m.put("a2", integer((b, v) -> b.a2(v)));
        return Collections.unmodifiableMap(m);
    }

    private static Option flag(BiConsumer<AdapterConfig.Builder, Boolean> set) {
        return new Option(Kind.BOOLEAN, (b, v) -> set.accept(b, (Boolean) v));
    }

    private static Option integer(BiConsumer<AdapterConfig.Builder, Integer> set) {
        return new Option(Kind.INTEGER, (b, v) -> set.accept(b, (Integer) v));
    }
}
