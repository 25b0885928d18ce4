package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterWriter;
import dev.lycoris4j.core.tensor.DType;

import java.nio.file.Path;

/**
 * Settings of {@link AdapterCombiner}.
 *
 * @param dim   the LoRA rank of the result, or null to store each summed change whole (Full)
 * @param base  the checkpoint the adapters were made for, or null; needed by algorithms whose change depends on
 *              the weight (OFT, BOFT, (IA)³, GLoRA, DoRA), and gives every layer its exact shape
 * @param dtype the dtype of the written tensors (F32, F16 or BF16)
 */
public record CombineOptions(Integer dim, Path base, DType dtype) {
    public CombineOptions {
        if (dim != null && dim < 1) throw new IllegalArgumentException("the LoRA rank must be at least 1, got " + dim);
        if (!AdapterWriter.SAVE_DTYPES.contains(dtype)) {
            throw new IllegalArgumentException("adapters are saved in fp32, fp16 or bf16, not " + dtype);
        }
    }
}
