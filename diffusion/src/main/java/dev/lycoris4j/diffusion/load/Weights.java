package dev.lycoris4j.diffusion.load;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Loads safetensors weights into a model tree by name. Tensors are read as zero-copy views of the
 * mapped file and copied once into the model's own tensors (converting to the model's dtype and
 * device), so a checkpoint never sits in memory twice.
 */
public final class Weights {
    private Weights() {}

    /**
     * Loads every tensor whose renamed key the model has; all keys must be used and all model
     * tensors found, else the error lists what is missing, unexpected or mis-shaped.
     *
     * @param rename maps a file key to the model's name, or to null to drop the key (e.g. buffers
     *               that older files carry)
     */
    public static Module.LoadReport load(Module model, Path file, UnaryOperator<String> rename) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, Tensor> named = new LinkedHashMap<>();
            for (String key : f.names()) {
                String name = rename.apply(key);
                if (name != null) named.put(name, f.view(key));
            }
            Module.LoadReport report = model.loadStateDict(named, false);
            if (!report.isClean()) {
                throw new IllegalArgumentException(file + " does not fit " + model.typeName() + ": " + report);
            }
            return report;
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static Module.LoadReport load(Module model, Path file) {
        return load(model, file, UnaryOperator.identity());
    }
}
