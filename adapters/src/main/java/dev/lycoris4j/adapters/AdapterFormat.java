package dev.lycoris4j.adapters;

import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Tensor;

import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How one algorithm is recognised in a file and rebuilt from it, and how a new one is created.
 * {@link AdapterFormats} lists them in the reference's detection order.
 */
public record AdapterFormat(Algorithm algorithm, Predicate<Map<String, Tensor>> detects, Loader loader,
                            Creator creator) {

    /** Rebuilds an adapter from a module's tensors (suffix → tensor), reading hyper-parameters from shapes. */
    @FunctionalInterface
    public interface Loader {
        Adapter load(String name, LayerSpec layer, Map<String, Tensor> tensors);
    }

    /** Creates a freshly initialised adapter; {@code baseWeight} serves DoRA's magnitude init and similar. */
    @FunctionalInterface
    public interface Creator {
        Adapter create(String name, LayerSpec layer, AdapterConfig config, Tensor baseWeight);
    }

    static Predicate<Map<String, Tensor>> hasKey(String suffix) {
        return t -> t.containsKey(suffix);
    }

    static Predicate<Map<String, Tensor>> hasAnyKey(Set<String> suffixes) {
        return t -> suffixes.stream().anyMatch(t::containsKey);
    }
}
