package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * libtorch's automatic mixed precision for a try-with-resources block, as PyTorch's {@code torch.autocast}: on one
 * device type, the ops autocast lists as safe in low precision (matmul, linear, convolutions, attention) run in the
 * scope's dtype whatever their inputs' floating dtype, the ops it lists as needing range (losses, and on CUDA norms
 * and softmax) run in fp32, and all others run in their inputs' dtype. Gradients flow back to the inputs' dtypes, so
 * fp32 weights get fp32 gradients.
 *
 * <p>Closing restores the state found on opening, so scopes nest ({@link #disable} opens an fp32 region inside an
 * autocast one). The state is per thread: open and close on the thread that runs the ops.
 *
 * <p>While autocast is on, libtorch caches the low-precision copy of each fp32 leaf that requires grad (trainable
 * weights), so a weight used by many ops is cast once. The cache is dropped when the outermost scope closes, as
 * PyTorch does; a scope must therefore close before an optimizer changes those weights, or the next forward would
 * see their old values. Wrap the forward only; backward and the optimizer step run outside. The cache is keyed by
 * tensor alone, not by dtype, so it is also dropped when a nested scope switches autocast's state and when it
 * switches it back: otherwise an fp16 scope inside a bf16 one would be handed the bf16 copies (libtorch then
 * fails on mixed dtypes), which PyTorch's own nested scopes run into.
 */
public final class Autocast implements AutoCloseable {
    private final DeviceType type;
    private final boolean previousEnabled;
    private final ScalarType previousDtype;
    private final boolean switchesState;
    private boolean closed;

    private Autocast(String device, boolean enabled, DType dtype) {
        this.type = Devices.parse(device).type();
        if (!torch.is_autocast_available(type)) {
            throw new IllegalArgumentException("libtorch has no autocast for device " + Devices.canonical(device));
        }
        this.previousEnabled = torch.is_autocast_enabled(type);
        this.previousDtype = torch.get_autocast_dtype(type);
        this.switchesState = enabled != previousEnabled || enabled && dtype.scalarType().value != previousDtype.value;
        if (switchesState) torch.clear_cache();
        torch.set_autocast_enabled(type, enabled);
        if (dtype != null) torch.set_autocast_dtype(type, dtype.scalarType());
        torch.increment_nesting();
    }

    /**
     * Runs the eligible ops on {@code device}'s type (all CUDA devices for "cuda:1", as PyTorch's device-type
     * scopes do) in {@code dtype}: {@link DType#F16} or {@link DType#BF16}.
     */
    public static Autocast enable(String device, DType dtype) {
        if (dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("autocast runs in fp16 or bf16, not " + dtype);
        }
        return new Autocast(device, true, dtype);
    }

    /** Turns autocast off on {@code device}'s type: every op runs in its inputs' dtype (fp32 stays fp32). */
    public static Autocast disable(String device) {
        return new Autocast(device, false, null);
    }

    /** Whether autocast is on for {@code device}'s type on this thread. */
    public static boolean isEnabled(String device) {
        return torch.is_autocast_enabled(Devices.parse(device).type());
    }

    /** The dtype autocast uses on {@code device}'s type on this thread (set even while autocast is off). */
    public static DType dtype(String device) {
        return DType.of(torch.get_autocast_dtype(Devices.parse(device).type()));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (torch.decrement_nesting() == 0 || switchesState) torch.clear_cache();
        torch.set_autocast_enabled(type, previousEnabled);
        torch.set_autocast_dtype(type, previousDtype);
    }
}
