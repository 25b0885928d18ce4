package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.LayerShapes;
import dev.lycoris4j.adapters.merge.NameResolver;
import dev.lycoris4j.adapters.merge.Resolution;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The {@code --base} checkpoint of {@code convert} and {@code merge --combine}: where an adapter module's layer
 * is (its module path, as {@link NameResolver} finds it for merging), its exact weight shape, and, for algorithms
 * whose change depends on it, its stored weight and bias. Memory-mapped; tensors are read on demand.
 */
final class BaseCheckpoint implements AutoCloseable {
    private final SafetensorsFile file;
    private final NameResolver resolver;
    private final ModuleNaming naming;

    private BaseCheckpoint(SafetensorsFile file) {
        this.file = file;
        this.resolver = NameResolver.ofTensorNames(file.names());
        this.naming = ModuleNaming.of(file.names());
    }

    static BaseCheckpoint open(Path path) throws IOException {
        return new BaseCheckpoint(SafetensorsFile.open(path));
    }

    ModuleNaming naming() {
        return naming;
    }

    /**
     * The layer of {@code module}: resolved in this checkpoint, with the stored weight and bias (fp32) when the
     * module's change depends on them.
     *
     * @throws IllegalArgumentException naming the module when it matches no weight of this checkpoint
     */
    Target target(AdapterModule module) throws IOException {
        Resolution resolution = resolver.resolve(module.name());
        if (resolution instanceof Resolution.Unresolved u) {
            throw new IllegalArgumentException("module " + module.name() + " is not in " + file.path() + ": " + u.message());
        }
        String path = ((Resolution.Resolved) resolution).modulePath();
        LayerSpec spec = LayerShapes.ofWeightShape(file.info(path + ".weight").shape());
        if (!ModuleDelta.needsBase(module)) return new Target(path, spec, null, null);
        Tensor weight = file.load(path + ".weight", DType.F32);
        Tensor bias = file.contains(path + ".bias") ? file.load(path + ".bias", DType.F32) : null;
        return new Target(path, spec, weight, bias);
    }

    @Override
    public void close() {
        file.close();
    }

    /**
     * The layer an adapter module adapts.
     *
     * @param path   its module path in the checkpoint, or null when unknown
     * @param weight its stored weight when the module's change depends on it, else null (the change is then taken
     *               against zeros, which gives it exactly)
     * @param bias   its stored bias in that case (null when the layer has none)
     */
    record Target(String path, LayerSpec spec, Tensor weight, Tensor bias) {
        /** Without a checkpoint: the layer read from the module's own tensor shapes. */
        static Target inferred(AdapterModule module, String path) {
            return new Target(path, LayerShapes.infer(module), null, null);
        }
    }
}
