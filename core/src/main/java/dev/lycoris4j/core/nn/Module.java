package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a model tree. Children, parameters and buffers are registered explicitly by name in
 * constructors (no reflection), so the dotted paths are exactly PyTorch's state-dict names and a
 * checkpoint loads by name. Registration order is state-dict order.
 */
public abstract class Module {
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private boolean training = true;

    /** The PyTorch/diffusers class name ("Linear", "Transformer2DModel"): presets target layers by it. */
    public String typeName() {
        return getClass().getSimpleName();
    }

    protected final <M extends Module> M register(String name, M child) {
        checkName(name);
        children.put(name, child);
        return child;
    }

    /** Registers a trainable tensor; {@code null} records that the optional parameter is absent. */
    protected final Tensor parameter(String name, Tensor value) {
        checkName(name);
        // A model's tensors outlive any step scope open while it is built, moved or loaded.
        StepScope.keep(value);
        parameters.put(name, value);
        return value;
    }

    /** Registers a persistent non-trainable tensor (part of the state dict). */
    protected final Tensor buffer(String name, Tensor value) {
        checkName(name);
        StepScope.keep(value);
        buffers.put(name, value);
        return value;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid module attribute name '" + name + "'");
        }
        if (children.containsKey(name) || parameters.containsKey(name) || buffers.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + typeName());
        }
    }

    /** Replaces a registered tensor (same name), e.g. after loading or a dtype move. */
    protected final void replaceTensor(String name, Tensor value) {
        if (parameters.containsKey(name)) parameters.put(name, value);
        else if (buffers.containsKey(name)) buffers.put(name, value);
        else throw new IllegalArgumentException("no tensor '" + name + "' in " + typeName());
        StepScope.keep(value);
        onTensorReplaced(name, value);
    }

    /** Subclasses that cache tensor fields refresh them here. */
    protected void onTensorReplaced(String name, Tensor value) {}

    /** The tensor registered under {@code name} in this module (not descendants), or null. */
    protected final Tensor tensor(String name) {
        Tensor t = parameters.get(name);
        return t != null ? t : buffers.get(name);
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module and every descendant, pre-order, keyed by dotted path ("" for this module). */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", this, out);
        return out;
    }

    private static void collectModules(String prefix, Module m, Map<String, Module> out) {
        out.put(prefix, m);
        for (var e : m.children.entrySet()) {
            collectModules(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
        }
    }

    /** The descendant at a dotted path, or null. */
    public final Module find(String path) {
        if (path.isEmpty()) return this;
        Module m = this;
        for (String part : path.split("\\.")) {
            m = m.children.get(part);
            if (m == null) return null;
        }
        return m;
    }

    /** Trainable tensors of the whole tree by dotted name (absent optional ones skipped). */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : namedModules().entrySet()) {
            for (var p : e.getValue().parameters.entrySet()) {
                if (p.getValue() != null) out.put(join(e.getKey(), p.getKey()), p.getValue());
            }
        }
        return out;
    }

    /** Parameters and buffers of the whole tree by dotted name, in PyTorch's state-dict order. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : namedModules().entrySet()) {
            Module m = e.getValue();
            for (var p : m.parameters.entrySet()) {
                if (p.getValue() != null) out.put(join(e.getKey(), p.getKey()), p.getValue());
            }
            for (var b : m.buffers.entrySet()) {
                if (b.getValue() != null) out.put(join(e.getKey(), b.getKey()), b.getValue());
            }
        }
        return out;
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /**
     * Copies matching tensors into the tree, converting each to the existing tensor's dtype and device.
     * Nothing is ignored silently: the report lists missing, unexpected and shape-mismatched keys.
     * With {@code strict}, any of those is an error and nothing is changed.
     */
    public final LoadReport loadStateDict(Map<String, Tensor> source, boolean strict) {
        Map<String, Module> modules = namedModules();
        Map<String, Module> owner = new LinkedHashMap<>();
        Map<String, String> localName = new LinkedHashMap<>();
        for (var e : modules.entrySet()) {
            Module m = e.getValue();
            for (String n : m.parameters.keySet()) if (m.parameters.get(n) != null) {
                owner.put(join(e.getKey(), n), m);
                localName.put(join(e.getKey(), n), n);
            }
            for (String n : m.buffers.keySet()) if (m.buffers.get(n) != null) {
                owner.put(join(e.getKey(), n), m);
                localName.put(join(e.getKey(), n), n);
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (String key : owner.keySet()) if (!source.containsKey(key)) missing.add(key);
        for (var e : source.entrySet()) {
            Module m = owner.get(e.getKey());
            if (m == null) {
                unexpected.add(e.getKey());
                continue;
            }
            long[] want = Tensors.shape(m.tensor(localName.get(e.getKey())));
            long[] got = Tensors.shape(e.getValue());
            if (!Arrays.equals(want, got)) {
                mismatched.add(e.getKey() + ": checkpoint " + Arrays.toString(got) + ", model " + Arrays.toString(want));
            }
        }
        LoadReport report = new LoadReport(missing, unexpected, mismatched);
        if (strict && !report.isClean()) throw new IllegalStateException("state dict does not fit the model: " + report);
        for (var e : source.entrySet()) {
            Module m = owner.get(e.getKey());
            if (m == null) continue;
            String n = localName.get(e.getKey());
            Tensor current = m.tensor(n);
            if (!Arrays.equals(Tensors.shape(current), Tensors.shape(e.getValue()))) continue;
            try (var noGrad = new NoGrad()) {
                current.copy_(e.getValue());
            }
        }
        return report;
    }

    /** Moves every floating-point tensor of the tree to {@code dtype} (integer buffers stay as they are). */
    public Module to(DType dtype) {
        for (Module m : namedModules().values()) m.convertTensors(t -> t.is_floating_point() ? Tensors.to(t, dtype) : t);
        return this;
    }

    /** Moves every tensor of the tree to {@code device}. */
    public Module to(Device device) {
        for (Module m : namedModules().values()) m.convertTensors(t -> t.to(device, t.scalar_type()));
        return this;
    }

    private void convertTensors(java.util.function.UnaryOperator<Tensor> f) {
        for (String n : new ArrayList<>(parameters.keySet())) {
            Tensor t = parameters.get(n);
            if (t == null) continue;
            boolean grad = t.requires_grad();
            Tensor moved;
            try (var noGrad = new NoGrad()) {
                moved = f.apply(t);
            }
            if (moved != t) {
                moved = moved.detach();
                if (grad) moved.requires_grad_(true);
                replaceTensor(n, moved);
            }
        }
        for (String n : new ArrayList<>(buffers.keySet())) {
            Tensor t = buffers.get(n);
            if (t == null) continue;
            Tensor moved = f.apply(t);
            if (moved != t) replaceTensor(n, moved);
        }
    }

    public final boolean isTraining() {
        return training;
    }

    /** Sets training mode on the whole tree (dropouts are active only in training). */
    public final Module train(boolean on) {
        for (Module m : namedModules().values()) m.training = on;
        return this;
    }

    /** Marks every parameter of the tree trainable or frozen. */
    public final void requiresGrad(boolean on) {
        for (Tensor t : namedParameters().values()) t.requires_grad_(on);
    }

    /** Number of elements over all parameters of the tree. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.numel();
        return n;
    }

    /** Missing, unexpected and shape-mismatched keys of a state-dict load. */
    public record LoadReport(List<String> missing, List<String> unexpected, List<String> shapeMismatched) {
        public LoadReport {
            missing = List.copyOf(missing);
            unexpected = List.copyOf(unexpected);
            shapeMismatched = List.copyOf(shapeMismatched);
        }

        public boolean isClean() {
            return missing.isEmpty() && unexpected.isEmpty() && shapeMismatched.isEmpty();
        }

        @Override public String toString() {
            return "missing " + missing + ", unexpected " + unexpected + ", shape mismatched " + shapeMismatched;
        }
    }
}
