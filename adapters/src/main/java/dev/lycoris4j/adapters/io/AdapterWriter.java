package dev.lycoris4j.adapters.io;

import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes adapter files as the reference's {@code save_weights(file, dtype, metadata)} does: every tensor cast
 * to the save dtype ({@code alpha} included), the metadata kept, and {@code sshs_model_hash} set from the cast
 * tensors in the given (state-dict) order. The write is atomic.
 */
public final class AdapterWriter {
    private AdapterWriter() {}

    /** The dtypes adapters are saved in. */
    public static final Set<DType> SAVE_DTYPES = Set.of(DType.F32, DType.F16, DType.BF16);

    /**
     * @param stateDict full keys ({@code module.suffix}) → tensors, in state-dict order (it decides the hash)
     * @param dtype     F32, F16 or BF16; null keeps every tensor's own dtype (the reference's {@code dtype=None})
     */
    public static void write(Path file, Map<String, Tensor> stateDict, Map<String, String> metadata, DType dtype)
            throws IOException {
        if (dtype != null && !SAVE_DTYPES.contains(dtype)) {
            throw new IllegalArgumentException("adapters are saved in fp32, fp16 or bf16, not " + dtype);
        }
        Map<String, Tensor> cast = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            cast.put(e.getKey(), dtype == null ? e.getValue() : Tensors.to(e.getValue(), dtype));
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata == null ? Map.of() : metadata);
        meta.put(SshsHash.METADATA_KEY, SshsHash.of(cast.values()));
        SafetensorsWriter.write(file, cast, meta);
    }
}
