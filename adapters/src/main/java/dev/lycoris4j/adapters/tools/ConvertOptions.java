package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterWriter;
import dev.lycoris4j.core.tensor.DType;

import java.nio.file.Path;

/**
 * Settings of {@link LoraConverter}.
 *
 * @param dim   the LoRA rank; a module gets min(dim, out, in·k…)
 * @param keys  the output key style, or null to keep each module's own
 * @param base  the checkpoint the adapter was made for, or null; needed by algorithms whose change depends on the
 *              weight (OFT, BOFT, (IA)³, GLoRA, DoRA) and to rename keys, and gives convs their exact kernel
 * @param dtype the dtype of the written factors (F32, F16 or BF16)
 */
public record ConvertOptions(int dim, KeyStyle keys, Path base, DType dtype) {
    public ConvertOptions {
        if (dim < 1) throw new IllegalArgumentException("the LoRA rank must be at least 1, got " + dim);
        if (!AdapterWriter.SAVE_DTYPES.contains(dtype)) {
            throw new IllegalArgumentException("adapters are saved in fp32, fp16 or bf16, not " + dtype);
        }
    }
}
