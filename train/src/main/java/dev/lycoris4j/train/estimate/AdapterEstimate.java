package dev.lycoris4j.train.estimate;

import dev.lycoris4j.core.tensor.DType;

/**
 * What a trained adapter file will hold.
 *
 * @param textEncoderModules wrapped text-encoder layers
 * @param unetModules        wrapped UNet layers
 * @param parameters         trainable values (alphas and other saved constants excluded)
 * @param storedValues       every value in the file, the 0-d alphas included (what the LyCORIS paper's Table 5
 *                           counts as parameters)
 * @param tensors            tensors in the file
 * @param bytes              file size in {@code dtype} without metadata (8-byte length + header + data)
 * @param dtype              the save dtype
 * @param adamWStateBytes    AdamW's moments while training the fp32 parameters (two fp32 values per value)
 * @param adamW8bitStateBytes AdamW8bit's moments: 8-bit codes and block absmaxes for tensors of 4096 values or more,
 *                           fp32 for the rest ({@link dev.lycoris4j.train.trainer.AdamW8bitOptimizer#stateBytes(long, long)})
 */
public record AdapterEstimate(int textEncoderModules, int unetModules, long parameters, long storedValues, int tensors,
                              long bytes, DType dtype, long adamWStateBytes, long adamW8bitStateBytes) {

    public int modules() {
        return textEncoderModules + unetModules;
    }

    /** The size {@code ls -h} shows for the file once {@code metadataBytes} of {@code __metadata__} are added. */
    public String lsSize(long metadataBytes) {
        return HumanSize.ls(bytes + metadataBytes);
    }

    /** The size in MiB (2^20 bytes). */
    public double mebibytes() {
        return HumanSize.mebibytes(bytes);
    }
}
