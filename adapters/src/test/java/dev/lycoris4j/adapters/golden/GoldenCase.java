package dev.lycoris4j.adapters.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.core.testing.TensorAssert;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One single-layer case of the LyCORIS golden set ({@code lycoris/manifest.json} + its {@code .safetensors}):
 * the layer, its weights, the adapter's tensors, the reference's outputs, and checks of an adapter against
 * them with the case's {@code tolerance_fp32} ({@code |ours − golden| ≤ atol + rtol·|golden|}).
 *
 * <p>The adapter is always rebuilt through {@link AdapterFormats#load}, detection included. Checks that the
 * manifest marks as reference bugs are not asserted against the golden value; callers use the
 * {@code referenceBypassDiffers} / {@code referenceMergeDiffers} predicates to choose what to assert.
 */
public final class GoldenCase {
    /** Module name the golden files use. */
    public static final String MODULE = "lycoris_layer";
    private static final String PREFIX = MODULE + ".";

    private static JsonNode manifest;

    private final JsonNode entry;
    private final LayerSpec layer;
    private Map<String, Tensor> tensors;

    private GoldenCase(JsonNode entry) {
        this.entry = entry;
        this.layer = layerOf(entry.get("layer"));
    }

    // ------------------------------------------------------------------ finding cases

    /** Every case of the manifest, in manifest order. */
    public static synchronized List<GoldenCase> all() {
        if (manifest == null) {
            try {
                manifest = new ObjectMapper().readTree(Golden.path("lycoris/manifest.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<GoldenCase> out = new ArrayList<>();
        for (JsonNode c : manifest.get("cases")) out.add(new GoldenCase(c));
        return out;
    }

    /** The cases whose manifest {@code algorithm} is one of {@code algorithms} (e.g. "lora", "locon+dora_wd"). */
    public static Stream<GoldenCase> withAlgorithm(String... algorithms) {
        Set<String> wanted = Set.of(algorithms);
        List<GoldenCase> found = all().stream().filter(c -> wanted.contains(c.algorithm())).toList();
        if (found.isEmpty()) throw new IllegalStateException("no golden case has algorithm " + wanted);
        return found.stream();
    }

    public static GoldenCase named(String name) {
        return all().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no golden case " + name));
    }

    // ------------------------------------------------------------------ what a case holds

    public String name() { return entry.get("name").asText(); }

    public String algorithm() { return entry.get("algorithm").asText(); }

    public double multiplier() { return entry.get("multiplier").asDouble(); }

    public LayerSpec layer() { return layer; }

    public JsonNode entry() { return entry; }

    public JsonNode moduleFacts() { return entry.get("module_facts"); }

    public JsonNode libraryChecks() { return entry.get("library_checks"); }

    public List<String> notes() {
        List<String> n = new ArrayList<>();
        entry.get("notes").forEach(x -> n.add(x.asText()));
        return n;
    }

    public double atol() { return entry.get("tolerance_fp32").get("atol").asDouble(); }

    public double rtol() { return entry.get("tolerance_fp32").get("rtol").asDouble(); }

    public boolean has(String key) { return tensors().containsKey(key); }

    /** A tensor of the case file ({@code base.weight}, {@code io.y}, ...). */
    public Tensor tensor(String key) {
        Tensor t = tensors().get(key);
        if (t == null) throw new IllegalArgumentException(name() + " has no tensor " + key);
        return t;
    }

    public Tensor weight() { return tensor("base.weight"); }

    public Tensor bias() { return has("base.bias") ? tensor("base.bias") : null; }

    public Tensor x() { return tensor("io.x"); }

    /** The adapter's tensors by suffix, in file order. */
    public Map<String, Tensor> adapterTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors().forEach((k, v) -> { if (k.startsWith(PREFIX)) out.put(k.substring(PREFIX.length()), v); });
        return out;
    }

    /** The adapter, rebuilt from the file's tensors through format detection. */
    public Adapter load() {
        return AdapterFormats.load(MODULE, layer, adapterTensors());
    }

    /** True when the reference's bypass raised or disagreed with its own forward (a bug per spec §8). */
    public boolean referenceBypassDiffers() {
        JsonNode lc = libraryChecks();
        return lc.has("bypass_error")
                || lc.has("bypass_vs_forward_max_abs") && lc.get("bypass_vs_forward_max_abs").asDouble() > atol();
    }

    /** True when the reference's get_merged_weight (merge_to, tools/merge.py) disagrees with its forward. */
    public boolean referenceMergeDiffers() {
        return has("io.w_merged_get_merged_weight");
    }

    @Override public String toString() { return name(); }

    // ------------------------------------------------------------------ checks

    /** {@code |ours − golden| ≤ atol + rtol·|golden|} everywhere, same shape (NaN fails). */
    public void assertClose(String what, Tensor ours, Tensor golden) {
        TensorAssert.assertClose(name() + ": " + what, ours, golden, atol(), rtol());
    }

    /** ΔW (and Δb where the case has {@code io.delta_b}) at multiplier 1 against {@code io.delta_w}. */
    public void checkDeltaAtMultiplierOne(Adapter a) {
        WeightPair m = a.mergedWeights(weight(), bias(), 1.0);
        assertClose("ΔW at multiplier 1", m.weight().sub(weight()), tensor("io.delta_w"));
        if (has("io.delta_b")) assertClose("Δb at multiplier 1", m.bias().sub(bias()), tensor("io.delta_b"));
    }

    /** The merged forward at the case multiplier against {@code io.y}; for m ≠ 1 also ΔW there and y at m = 1. */
    public void checkMergedForward(Adapter a) {
        assertClose("merged forward y", a.forward(x(), weight(), bias(), multiplier()), tensor("io.y"));
        if (has("io.delta_w_at_multiplier")) {
            Tensor dw = a.mergedWeights(weight(), bias(), multiplier()).weight().sub(weight());
            assertClose("ΔW at the case multiplier", dw, tensor("io.delta_w_at_multiplier"));
        }
        if (has("io.y_multiplier1")) {
            assertClose("merged forward y at multiplier 1", a.forward(x(), weight(), bias(), 1.0), tensor("io.y_multiplier1"));
        }
    }

    /** The bypass output (base output as the inner) against {@code expectedKey} ("io.y_bypass" or "io.y"). */
    public void checkBypass(Adapter a, String expectedKey) {
        assertThat(a.hasBypass()).as("%s: has a bypass", name()).isTrue();
        Tensor y = a.bypassForward(x(), tensor("io.y_base"), weight(), bias(), multiplier());
        assertClose("bypass forward vs " + expectedKey, y, tensor(expectedKey));
    }

    /** Where the reference's merge uses scale² (spec §8 #1), ours must not equal that buggy merged weight. */
    public void checkMergeDiffersFromBuggyReference(Adapter a) {
        Tensor ours = a.mergedWeights(weight(), bias(), 1.0).weight();
        Tensor buggy = tensor("io.w_merged_get_merged_weight");
        assertThat(Tensors.maxAbsDiff(ours, buggy)).as("%s: ours must differ from the reference's scale² merge", name())
                .isGreaterThan(10 * (atol() + rtol() * buggy.abs().max().item_double()));
    }

    /**
     * stateDict → safetensors file → read back → {@link AdapterFormats#load}: the same names in the same order,
     * bit-identical tensors (shape, dtype, values) and an identical merged weight.
     */
    public void checkReload(Adapter a, Path dir) {
        Map<String, Tensor> sd = a.stateDict();
        Map<String, Tensor> prefixed = new LinkedHashMap<>();
        sd.forEach((k, v) -> prefixed.put(PREFIX + k, v));
        Path file = dir.resolve(name() + "-reload.safetensors");
        Map<String, Tensor> read = new LinkedHashMap<>();
        try {
            SafetensorsWriter.write(file, prefixed, Map.of());
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (String n : f.names()) read.put(n.substring(PREFIX.length()), f.tensor(n));
            }
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Adapter back = AdapterFormats.load(MODULE, layer, read);
        Map<String, Tensor> sd2 = back.stateDict();
        assertThat(sd2.keySet()).as("%s: reloaded state-dict keys and order", name()).containsExactlyElementsOf(sd.keySet());
        for (String k : sd.keySet()) {
            Tensor x = sd.get(k), y = sd2.get(k);
            assertThat(Tensors.shape(y)).as("%s: reloaded %s shape", name(), k).containsExactly(Tensors.shape(x));
            assertThat(Tensors.dtype(y)).as("%s: reloaded %s dtype", name(), k).isEqualTo(Tensors.dtype(x));
            assertThat(torch.equal(y, x)).as("%s: reloaded %s values", name(), k).isTrue();
        }
        WeightPair m1 = a.mergedWeights(weight(), bias(), 1.0), m2 = back.mergedWeights(weight(), bias(), 1.0);
        assertThat(torch.equal(m2.weight(), m1.weight())).as("%s: reloaded merged weight", name()).isTrue();
        if (m1.bias() != null) assertThat(torch.equal(m2.bias(), m1.bias())).as("%s: reloaded bias", name()).isTrue();
    }

    /** The state dict holds exactly the file's adapter tensors, in the file's dtypes and shapes and values. */
    public void checkStateDictMatchesFile(Adapter a) {
        Map<String, Tensor> file = adapterTensors(), sd = a.stateDict();
        assertThat(sd.keySet()).as("%s: state-dict keys", name()).containsExactlyInAnyOrderElementsOf(file.keySet());
        for (String k : file.keySet()) {
            assertThat(Tensors.dtype(sd.get(k))).as("%s: %s dtype", name(), k).isEqualTo(Tensors.dtype(file.get(k)));
            assertThat(Tensors.shape(sd.get(k))).as("%s: %s shape", name(), k).containsExactly(Tensors.shape(file.get(k)));
            assertThat(torch.equal(sd.get(k), file.get(k))).as("%s: %s values", name(), k).isTrue();
        }
    }

    // ------------------------------------------------------------------ internals

    private synchronized Map<String, Tensor> tensors() {
        if (tensors == null) {
            try (SafetensorsFile f = SafetensorsFile.open(Golden.path("lycoris/" + entry.get("file").asText()))) {
                tensors = f.loadAll();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tensors;
    }

    /** linear in/out; conv2d in/out/k/stride/padding; layernorm dim (eps 1e-5); groupnorm groups/dim (eps 1e-5). */
    private static LayerSpec layerOf(JsonNode l) {
        return switch (l.get("kind").asText()) {
            case "linear" -> new LayerSpec.Linear(l.get("in").asLong(), l.get("out").asLong());
            case "conv2d" -> {
                long k = l.get("k").asLong(), s = l.get("stride").asLong(), p = l.get("padding").asLong();
                yield new LayerSpec.Conv(l.get("in").asLong(), l.get("out").asLong(), new long[] {k, k},
                        new long[] {s, s}, new long[] {p, p}, new long[] {1, 1}, 1);
            }
            case "layernorm" -> new LayerSpec.LayerNorm(new long[] {l.get("dim").asLong()}, 1e-5);
            case "groupnorm" -> new LayerSpec.GroupNorm(l.get("groups").asLong(), l.get("dim").asLong(), 1e-5);
            default -> throw new IllegalArgumentException("unknown golden layer kind " + l);
        };
    }
}
