package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterWriter;
import dev.lycoris4j.core.tensor.DType;

/**
 * Settings of {@link DiffExtractor} (spec §5.1).
 *
 * @param rule       how ranks are chosen, or {@code full} mode
 * @param tucker     split k×k convs' {@code lora_down} into a 1×1 {@code lora_down} and a {@code lora_mid} core
 * @param sparseBias also store the largest entries of the low-rank residual ({@code bias_indices}, ...)
 * @param sparsity   the quantile of residual magnitudes an entry must reach to be stored, in [0, 1]
 * @param dtype      the dtype of the written factors and differences (F32, F16 or BF16)
 */
public record ExtractOptions(RankRule rule, boolean tucker, boolean sparseBias, double sparsity, DType dtype) {

    public ExtractOptions {
        if (!(sparsity >= 0 && sparsity <= 1)) throw new IllegalArgumentException("sparsity must be in [0, 1], got " + sparsity);
        if (!AdapterWriter.SAVE_DTYPES.contains(dtype)) {
            throw new IllegalArgumentException("adapters are saved in fp32, fp16 or bf16, not " + dtype);
        }
    }

    /** The reference's defaults around {@code rule}: Tucker on, no sparse residual (sparsity 0.98), fp16. */
    public static ExtractOptions of(RankRule rule) {
        return new ExtractOptions(rule, true, false, 0.98, DType.F16);
    }

    public ExtractOptions withTucker(boolean v) {
        return new ExtractOptions(rule, v, sparseBias, sparsity, dtype);
    }

    public ExtractOptions withSparseBias(boolean v, double q) {
        return new ExtractOptions(rule, tucker, v, q, dtype);
    }

    public ExtractOptions withDtype(DType v) {
        return new ExtractOptions(rule, tucker, sparseBias, sparsity, v);
    }

    /** One line for the output file's metadata. */
    String describe() {
        String params = rule.mode() == RankRule.Mode.FULL ? ""
                : " linear=" + rule.linearParam() + " conv=" + rule.convParam();
        return "mode=" + rule.mode().id() + params + " tucker=" + tucker
                + (sparseBias ? " sparse_bias sparsity=" + sparsity : "") + " dtype=" + dtype.safetensorsName();
    }
}
