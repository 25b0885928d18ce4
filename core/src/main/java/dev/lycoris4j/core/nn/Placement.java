package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.util.Objects;

/**
 * Where and in which dtype a layer creates its tensors. On the {@code meta} device tensors have shapes
 * but no storage, so a full-size model can be built to count its parameters without allocating them.
 * The device is kept as its name, not as a native object, so a placement stays valid in any scope.
 */
public record Placement(String device, DType dtype) {
    public Placement {
        device = Devices.canonical(device);
        Objects.requireNonNull(dtype, "dtype");
    }

    /** fp32 on the CPU, PyTorch's default for a freshly constructed layer. */
    public static Placement cpu() {
        return new Placement("cpu", DType.F32);
    }

    /** fp32 shapes without storage. */
    public static Placement meta() {
        return new Placement("meta", DType.F32);
    }

    public boolean isMeta() {
        return device.equals("meta");
    }

    public TensorOptions options() {
        return new TensorOptions(dtype.scalarType()).device(new DeviceOptional(Devices.parse(device)));
    }

    /** An uninitialised tensor of this placement. */
    public Tensor empty(long... shape) {
        return torch.empty(shape, options(), new MemoryFormatOptional());
    }
}
