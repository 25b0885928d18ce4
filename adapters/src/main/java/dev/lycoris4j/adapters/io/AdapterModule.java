package dev.lycoris4j.adapters.io;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterFormat;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One module of an adapter file whose prefix is known and whose keys an algorithm recognises.
 *
 * @param name    the module name, e.g. {@code lora_unet_conv_in}
 * @param prefix  its prefix ({@code lora_unet})
 * @param format  the algorithm's format, found by {@link dev.lycoris4j.adapters.AdapterFormats#detect}
 * @param tensors suffix → tensor exactly as stored (dtype and shape kept), in file order
 */
public record AdapterModule(String name, ModulePrefix prefix, AdapterFormat format, Map<String, Tensor> tensors) {

    /** Buffers the reference stores next to the parameters; they are not trained, so not counted. */
    private static final Set<String> BUFFERS = Set.of("alpha", "on_input");

    public AdapterModule {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public Algorithm algorithm() {
        return format.algorithm();
    }

    /** The module path with '.' turned into '_' (the name without its prefix). */
    public String flatPath() {
        return prefix.flatPath(name);
    }

    /** Elements of the stored trainable tensors: every tensor except the {@code alpha}/{@code on_input} buffers. */
    public long storedParameters() {
        long n = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (!BUFFERS.contains(e.getKey())) n += e.getValue().numel();
        }
        return n;
    }

    /**
     * The stored {@code alpha} as a number, or null when the module has none (Full, Norm, IA3) or it is not a
     * single value (the loader reports that case).
     */
    public Double alpha() {
        Tensor a = tensors.get("alpha");
        return a == null || a.numel() != 1 ? null : Tensors.toDoubles(a)[0];
    }

    /**
     * Rebuilds the adapter for {@code layer} in fp32: fp16/bf16 files are upcast exactly, so merges and
     * inspection compute in full precision whatever the file's dtype. ({@code alpha} may be 0-d or shape [1]
     * in any dtype; the loaders accept all of them.)
     *
     * @throws IllegalArgumentException naming this module when the tensors do not fit the layer
     */
    public Adapter load(LayerSpec layer) {
        Map<String, Tensor> fp32 = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            fp32.put(e.getKey(), t.is_floating_point() ? Tensors.to(t, DType.F32) : t);
        }
        try {
            return format.loader().load(name, layer, fp32);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("module " + name + " (" + algorithm().id() + ") does not fit layer "
                    + layer + ": " + Messages.firstLine(e.getMessage()), e);
        }
    }
}
