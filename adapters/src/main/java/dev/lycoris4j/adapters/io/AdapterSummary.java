package dev.lycoris4j.adapters.io;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code lycoris inspect} shows about an adapter file: per module its algorithm, stored tensors,
 * parameter count and hyper-parameters (rank or factor, alpha, scale, ...), plus totals and the metadata.
 * Hyper-parameters come from rebuilding each module for the layer its shapes imply ({@link LayerShapes})
 * and asking the adapter ({@code hyperParameters()}), so they are the values a merge or a forward would use.
 *
 * @param parameters every module's stored parameters (see {@link AdapterModule#storedParameters()})
 */
public record AdapterSummary(Path file, List<ModuleSummary> modules, List<UnrecognizedModule> unrecognized,
                             long parameters, Map<String, String> metadata) {

    public AdapterSummary {
        modules = List.copyOf(modules);
        unrecognized = List.copyOf(unrecognized);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** A tensor as stored: its dtype and shape. */
    public record Stored(DType dtype, long[] shape) {
        public Stored {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    /**
     * @param tensors         suffix → stored dtype and shape, in file order
     * @param hyperParameters the adapter's own report, without the algorithm (given separately); when the
     *                        module cannot be rebuilt, only the stored alpha (if any)
     * @param error           why the module could not be rebuilt, or null
     */
    public record ModuleSummary(String name, ModulePrefix prefix, Algorithm algorithm, Map<String, Stored> tensors,
                                long parameters, Map<String, Object> hyperParameters, String error) {
        public ModuleSummary {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            hyperParameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperParameters));
        }

        /** The distinct dtypes of the stored tensors, e.g. {@code F16} or {@code F32,I64}. */
        public String dtypes() {
            return String.join(",", tensors.values().stream().map(s -> s.dtype().safetensorsName()).distinct().toList());
        }
    }

    public static AdapterSummary of(AdapterFile file) {
        List<ModuleSummary> modules = new ArrayList<>();
        long total = 0;
        for (AdapterModule m : file.modules()) {
            ModuleSummary s = summarize(m);
            modules.add(s);
            total += s.parameters();
        }
        return new AdapterSummary(file.path(), modules, file.unrecognized(), total, file.metadata());
    }

    /** How many modules use each algorithm, in the enum's order. */
    public Map<Algorithm, Integer> algorithmCounts() {
        Map<Algorithm, Integer> counts = new EnumMap<>(Algorithm.class);
        for (ModuleSummary m : modules) counts.merge(m.algorithm(), 1, Integer::sum);
        return counts;
    }

    private static ModuleSummary summarize(AdapterModule m) {
        Map<String, Stored> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.tensors().entrySet()) {
            tensors.put(e.getKey(), new Stored(Tensors.dtype(e.getValue()), Tensors.shape(e.getValue())));
        }
        Map<String, Object> hyper = new LinkedHashMap<>();
        String error = null;
        try {
            hyper.putAll(m.load(LayerShapes.infer(m)).hyperParameters());
            hyper.remove("algorithm");
        } catch (IllegalArgumentException e) {
            error = e.getMessage();
            Double alpha = m.alpha();
            if (alpha != null) hyper.put("alpha", alpha);
        }
        return new ModuleSummary(m.name(), m.prefix(), m.algorithm(), tensors, m.storedParameters(), hyper, error);
    }
}
