package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.Devices;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorList;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;

/**
 * Dynamic loss scaling for fp16 training, PyTorch's {@code torch.amp.GradScaler}: the loss is multiplied by a large
 * scale before backward, so that small gradients do not flush to zero in fp16; the gradients are divided by it again
 * before clipping (which then clips the true gradients); a step whose gradients hold an inf or NaN is skipped, and the
 * scale is then multiplied by the backoff factor; after {@code growthInterval} good steps in a row it is multiplied by
 * the growth factor. Per step, inside one {@link StepScope}:
 * <pre>{@code
 * scaler.scale(loss).backward();       // once per accumulated batch
 * scaler.unscale(parameters);          // before clipping
 * clip; scaler.step(optimizer::step);  // skipped when a gradient is not finite
 * scaler.update();
 * }</pre>
 * The checks and the update run as libtorch's own AMP kernels ({@code _amp_foreach_non_finite_check_and_unscale_},
 * {@code _amp_update_scale_}, called through the dispatcher since JavaCPP does not map them), on the device, with one
 * host synchronisation per step (the skip decision), as in PyTorch. The scale and growth tracker are placed on the
 * loss's device by the first {@link #scale}. A {@link #disabled()} scaler passes everything through, so a training loop
 * reads the same with and without loss scaling.
 */
public final class GradScaler {

    /** PyTorch's constructor arguments. */
    public record Settings(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        /** {@code torch.amp.GradScaler()}: 2¹⁶, doubling every 2000 good steps, halving on an overflow. */
        public static final Settings TORCH_DEFAULTS = new Settings(65536.0, 2.0, 0.5, 2000);

        public Settings {
            if (!(initScale > 0) || Double.isInfinite(initScale)) throw new IllegalArgumentException("initial loss scale must be positive and finite, got " + initScale);
            if (!(growthFactor > 1)) throw new IllegalArgumentException("loss scale growth factor must be > 1, got " + growthFactor);
            if (!(backoffFactor > 0 && backoffFactor < 1)) throw new IllegalArgumentException("loss scale backoff factor must be in (0, 1), got " + backoffFactor);
            if (growthInterval < 1) throw new IllegalArgumentException("loss scale growth interval must be >= 1, got " + growthInterval);
        }
    }

    /**
     * What continues a scaler exactly.
     *
     * @param scale         the loss scale (a float32, as PyTorch keeps it)
     * @param growthTracker good steps in a row since the scale last changed
     * @param skippedSteps  steps skipped so far for gradients that were not finite
     */
    public record State(float scale, int growthTracker, long skippedSteps) {}

    private enum Stage { READY, UNSCALED, STEPPED }

    private final Settings settings;
    /** The state until the first {@link #scale} creates the tensors; then unused. */
    private State initial;
    private Tensor scale;
    private Tensor growthTracker;
    /** 1 when a gradient of the step in progress was not finite; lives from {@link #unscale} to {@link #update}. */
    private Tensor foundInf;
    private long skippedSteps;
    private Stage stage = Stage.READY;

    /** A scaler that scales nothing and never skips: for fp32 and bf16 training. */
    public static GradScaler disabled() {
        return new GradScaler(null);
    }

    /** Loss scaling with {@code settings}. */
    public static GradScaler of(Settings settings) {
        return new GradScaler(settings);
    }

    private GradScaler(Settings settings) {
        this.settings = settings;
        this.initial = settings == null ? null : new State((float) settings.initScale(), 0, 0);
    }

    public boolean enabled() {
        return settings != null;
    }

    /** {@code loss} times the scale (the loss itself when disabled); back-propagate this one. */
    public Tensor scale(Tensor loss) {
        if (!enabled()) return loss;
        if (scale == null) place(Devices.name(loss.device()));
        return loss.mul(scale);
    }

    /**
     * Divides the gradients of {@code parameters} by the scale in place and records whether any of them holds an inf
     * or NaN. Once per step, after the last backward and before clipping. Parameters without a gradient are skipped.
     */
    public void unscale(List<Tensor> parameters) {
        if (!enabled()) return;
        if (stage != Stage.READY) throw new IllegalStateException("unscale() was already called for this step");
        if (scale == null) throw new IllegalStateException("no loss was scaled in this step");
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : parameters) {
            Tensor g = p.grad();
            if (g.defined()) grads.add(g);
        }
        foundInf = torch.zeros_like(scale);
        if (!grads.isEmpty()) {
            // PyTorch takes the reciprocal in double, then rounds it to float32.
            Tensor inverse = scale.to(torch.ScalarType.Double).reciprocal().to(torch.ScalarType.Float);
            callAten("aten::_amp_foreach_non_finite_check_and_unscale_", tensorList(grads), new IValue(foundInf),
                    new IValue(inverse));
        }
        stage = Stage.UNSCALED;
    }

    /**
     * Runs {@code optimizerStep} unless a gradient unscaled in this step was not finite; returns whether it ran. Call
     * {@link #unscale} first.
     */
    public boolean step(Runnable optimizerStep) {
        if (!enabled()) {
            optimizerStep.run();
            return true;
        }
        if (stage != Stage.UNSCALED) {
            throw new IllegalStateException(stage == Stage.READY ? "unscale() the gradients before step()" : "step() was already called for this step");
        }
        stage = Stage.STEPPED;
        // The one host synchronisation per step, as in PyTorch's GradScaler.
        if (foundInf.item_double() != 0) {
            skippedSteps++;
            return false;
        }
        optimizerStep.run();
        return true;
    }

    /** Backs the scale off after a skipped step, or grows it after {@code growthInterval} good steps in a row. */
    public void update() {
        if (!enabled()) return;
        if (stage != Stage.STEPPED) throw new IllegalStateException("step() must come before update()");
        callAten("aten::_amp_update_scale_", new IValue(scale), new IValue(growthTracker), new IValue(foundInf),
                new IValue(settings.growthFactor()), new IValue(settings.backoffFactor()),
                new IValue((long) settings.growthInterval()));
        foundInf = null;
        stage = Stage.READY;
    }

    /** Optimizer steps skipped so far because a gradient was not finite (0 when disabled). */
    public long skippedSteps() {
        return skippedSteps;
    }

    /** The current loss scale (1 when disabled). */
    public double lossScale() {
        return enabled() ? state().scale() : 1.0;
    }

    /** The state to save between steps, or null when disabled. */
    public State state() {
        if (!enabled()) return null;
        if (scale == null) return new State(initial.scale(), initial.growthTracker(), skippedSteps);
        return new State((float) scale.item_double(), (int) growthTracker.item_long(), skippedSteps);
    }

    /**
     * Continues from a saved {@link #state()} (null for a disabled scaler: a state saved with loss scaling only loads
     * into a scaler that scales, and the other way round).
     */
    public void load(State state) {
        if ((state == null) == enabled()) {
            throw new IllegalArgumentException(enabled() ? "the saved training state has no loss scale (it was not trained with fp16)"
                    : "the saved training state has a loss scale but this run does not use fp16 loss scaling");
        }
        if (state == null) return;
        if (stage != Stage.READY) throw new IllegalStateException("load() in the middle of a step");
        skippedSteps = state.skippedSteps();
        if (scale == null) {
            initial = state;
        } else {
            scale.fill_(new Scalar(state.scale()));
            growthTracker.fill_(new Scalar(state.growthTracker()));
        }
    }

    private void place(String device) {
        // Kept: these live for the whole run, and the first scale() usually happens inside a step scope.
        scale = StepScope.keep(torch.full(new long[0], new Scalar(initial.scale()), new Placement(device, DType.F32).options()));
        growthTracker = StepScope.keep(torch.full(new long[0], new Scalar(initial.growthTracker()),
                new Placement(device, DType.I32).options()));
    }

    /** A Tensor[] argument for a boxed call: a list typed as holding tensors, which the op's schema requires. */
    private static IValue tensorList(List<Tensor> tensors) {
        GenericList list = new GenericList(new TensorList().elementType());
        for (Tensor t : tensors) list.push_back(new IValue(t));
        return new IValue(list);
    }

    /** Calls an ATen op that JavaCPP does not map, through libtorch's dispatcher (arguments in schema order). */
    private static void callAten(String op, IValue... arguments) {
        Dispatcher.singleton().findSchemaOrThrow(op, "").callBoxed(new IValueVector(arguments));
    }
}
