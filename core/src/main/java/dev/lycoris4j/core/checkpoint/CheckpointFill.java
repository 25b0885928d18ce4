package dev.lycoris4j.core.checkpoint;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Fills models from one checkpoint file whose key layout differs from the models' names: each model
 * tensor is looked up through a layout function. Every file key must end up used or be one the
 * layout declares irrelevant (a mask token, a logit scale), so a checkpoint of another variant
 * (register tokens, SwiGLU, batch norm) fails loudly instead of loading half its weights.
 */
public final class CheckpointFill {
    private final SafetensorsFile file;
    private final Set<String> used = new HashSet<>();

    private CheckpointFill(SafetensorsFile file) {
        this.file = file;
    }

    public static SafetensorsFile open(Path path) {
        try {
            return SafetensorsFile.open(path);
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Loads each (model, layout) pair from {@code path}, then checks that the file holds nothing else
     * than what {@code ignored} accepts.
     */
    public static void load(Path path, List<Target> targets, Predicate<String> ignored) {
        try (SafetensorsFile f = open(path)) {
            CheckpointFill fill = new CheckpointFill(f);
            for (Target t : targets) fill.fill(t.model(), t.layout());
            fill.requireAllUsed(ignored);
        }
    }

    /**
     * Fills one model from an open file, without checking what else the file holds (a single-file Stable
     * Diffusion checkpoint holds every component).
     */
    public static void fill(SafetensorsFile file, Module model, Function<String, TensorSource> layout) {
        new CheckpointFill(file).fill(model, layout);
    }

    /** A model and where each of its state-dict names lives in the file. */
    public record Target(Module model, Function<String, TensorSource> layout) {}

    private void fill(Module model, Function<String, TensorSource> layout) {
        // The file views are only needed until copied into the model's own tensors.
        try (StepScope scope = new StepScope()) {
            Map<String, Tensor> named = new LinkedHashMap<>();
            for (var e : model.stateDict().entrySet()) {
                TensorSource source = layout.apply(e.getKey());
                named.put(e.getKey(), source.read(file, Tensors.shape(e.getValue())));
                used.add(source.key());
            }
            Module.LoadReport report = model.loadStateDict(named, false);
            if (!report.isClean()) {
                throw new IllegalArgumentException(file.path() + " does not fit " + model.typeName() + ": " + report);
            }
        }
    }

    private void requireAllUsed(Predicate<String> ignored) {
        List<String> unexpected = new ArrayList<>();
        for (String key : file.names()) {
            if (!used.contains(key) && !ignored.test(key)) unexpected.add(key);
        }
        if (!unexpected.isEmpty()) {
            List<String> shown = unexpected.subList(0, Math.min(8, unexpected.size()));
            throw new IllegalArgumentException(file.path() + ": " + unexpected.size()
                    + " tensors this model variant does not use (unsupported architecture?): " + shown);
        }
    }
}
