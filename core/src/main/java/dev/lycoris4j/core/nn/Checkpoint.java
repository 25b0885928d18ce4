package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.memory.StepScope;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Gradient checkpointing ({@code torch.utils.checkpoint}) for libtorch's C++ API, which has none and whose
 * custom autograd functions JavaCPP cannot express: a segment runs without keeping its activations and is
 * recomputed, with autograd on, when backward reaches its output. Memory for activations drops to the
 * segments' inputs plus one segment's internals at a time; the price is a second forward of every segment.
 *
 * <h2>How</h2>
 * Built from tensor hooks only. For a segment {@code y = f(x₁ … xₙ; θ)}:
 * <ol>
 *   <li>{@code y₀ = f(x)} runs under no-grad, in its own {@link StepScope}, so every temporary is freed at once;</li>
 *   <li>for each input that requires grad, an alias {@code cᵢ = xᵢ.view_as(xᵢ)} (a graph node of this
 *       segment's own) enters the output through an empty slice's sum, exactly 0 whatever {@code xᵢ} holds:
 *       {@code y = y₀ + Σ sum(cᵢ[0:0])}. With no such input but trainable parameters, a fresh zero leaf
 *       that requires grad plays that part, so that {@code y} requires grad at all;</li>
 *   <li>a hook on {@code y} receives the sum of every consumer's gradient, recomputes {@code f} with autograd
 *       on detached copies of the inputs, and back-propagates the gradient through it: the parameters'
 *       {@code .grad} accumulate, the copies' gradients are kept;</li>
 *   <li>{@code y}'s hook runs before any {@code cᵢ}'s (their gradient flows from {@code y}'s node); each
 *       {@code cᵢ}'s hook replaces its zero gradient by the kept one, which then adds to whatever else
 *       {@code xᵢ} feeds.</li>
 * </ol>
 * An input modified in place between the forward and the recomputation is refused (its version counter moved),
 * as PyTorch refuses a modified saved tensor. The recomputation replays the CPU default generator from where the forward found it and restores it
 * afterwards (PyTorch's {@code preserve_rng_state}), so dropouts and random ranks draw the same numbers twice
 * and the generator goes on as without checkpointing. CUDA generators are not replayed.
 *
 * <h2>Memory</h2>
 * The hooks and the few tensors backward needs (the output, the generator state, the kept gradients) belong to
 * the step's scope, so {@code run} needs an open {@link StepScope} when it checkpoints. Everything else a
 * forward or recomputation creates is freed as soon as it is done. A segment whose output never reaches the
 * loss never runs its hooks; its objects go with the step's scope.
 *
 * <p>Segments nest: a segment inside a checkpointed one runs plainly in the no-grad forward, and checkpointed
 * again during the outer recomputation, whose backward is reentrant.
 */
public final class Checkpoint {
    /**
     * Input gradients already returned to the engine by a hook. Their Java handles can only be closed after the
     * hook has returned; the next checkpoint call on this thread does it, the step's scope at the latest.
     */
    private static final ThreadLocal<List<Tensor>> RETURNED = ThreadLocal.withInitial(ArrayList::new);

    private Checkpoint() {}

    /**
     * Switches gradient checkpointing on or off for every {@link Checkpointable} module of {@code root}'s tree.
     *
     * @return how many modules were switched
     */
    public static int enable(Module root, boolean on) {
        int n = 0;
        for (Module m : root.namedModules().values()) {
            if (m instanceof Checkpointable c) {
                c.setGradientCheckpointing(on);
                n++;
            }
        }
        return n;
    }

    /**
     * Runs {@code segment} on {@code inputs} (null entries allowed), checkpointed when grad mode is on and an input
     * or a trainable tensor of {@code owner} (its parameters, or adapters installed in its layers) requires grad;
     * plainly otherwise, where there is nothing to save. {@code segment} must compute the same function each time
     * it is called with the same inputs and generator state: it runs twice.
     */
    public static Tensor run(Module owner, Function<List<Tensor>, Tensor> segment, Tensor... inputs) {
        List<Tensor> xs = Collections.unmodifiableList(Arrays.asList(inputs));
        if (!GradMode.is_enabled() || !(anyRequiresGrad(xs) || hasTrainable(owner))) return segment.apply(xs);
        if (PointerScope.getInnerScope() == null) {
            throw new IllegalStateException("a checkpointed segment needs an open StepScope: its backward hooks and "
                    + "the tensors they use live as long as the step");
        }
        releaseReturned();
        return new Segment(segment, xs).forward();
    }

    private static boolean anyRequiresGrad(List<Tensor> xs) {
        for (Tensor x : xs) if (x != null && x.requires_grad()) return true;
        return false;
    }

    /** Whether a parameter of the tree, or a tensor an installed forward adds to a layer, requires grad. */
    static boolean hasTrainable(Module owner) {
        for (Tensor p : owner.namedParameters().values()) if (p.requires_grad()) return true;
        for (Module m : owner.namedModules().values()) {
            if (m instanceof AdaptableLayer layer && layer.forwardOverride() != null) {
                for (Tensor p : layer.forwardOverride().parameters()) if (p.requires_grad()) return true;
            }
        }
        return false;
    }

    private static void releaseReturned() {
        List<Tensor> returned = RETURNED.get();
        // close() on a tensor the step's scope has already freed does nothing.
        for (Tensor t : returned) t.close();
        returned.clear();
    }

    /** One call of a checkpointed segment: its inputs, generator state and hooks, alive until the step ends. */
    private static final class Segment {
        private final Function<List<Tensor>, Tensor> f;
        private final List<Tensor> inputs;
        private final int[] gradInputs;
        private final Tensor[] inputGrads;
        private final long[] versions;
        private Tensor rngState;

        Segment(Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
            this.f = f;
            this.inputs = inputs;
            this.gradInputs = IntStream.range(0, inputs.size())
                    .filter(i -> inputs.get(i) != null && inputs.get(i).requires_grad()).toArray();
            this.inputGrads = new Tensor[gradInputs.length];
            this.versions = inputs.stream().mapToLong(x -> x == null ? 0 : x._version()).toArray();
        }

        /** The recomputation must see the inputs the forward saw, as PyTorch's saved tensors check. */
        private void checkInputsUnchanged() {
            for (int i = 0; i < inputs.size(); i++) {
                if (inputs.get(i) != null && inputs.get(i)._version() != versions[i]) {
                    throw new IllegalStateException("input " + i + " of a checkpointed segment was modified in place "
                            + "after its forward: the recomputation would not reproduce it");
                }
            }
        }

        Tensor forward() {
            try (StepScope local = new StepScope()) {
                rngState = local.handOver(torch.getDefaultCPUGenerator().get_state());
                Tensor y0;
                try (NoGrad ignored = new NoGrad()) {
                    y0 = f.apply(inputs);
                }
                Tensor dependency = null;
                for (int k = 0; k < gradInputs.length; k++) {
                    Tensor x = inputs.get(gradInputs[k]);
                    Tensor alias = x.view_as(x);
                    alias.register_hook(local.handOver(new InputGradHook(k)));
                    // Exactly zero whatever x holds (0·inf would be NaN), with a gradient path from y to the alias.
                    Tensor zero = alias.unsqueeze(0).narrow(0, 0, 0).sum();
                    dependency = dependency == null ? zero : dependency.add(zero);
                }
                if (dependency == null) dependency = y0.new_zeros().requires_grad_(true);
                Tensor y = y0.add(dependency);
                y.register_hook(local.handOver(new OutputGradHook()));
                return local.handOver(y);
            }
        }

        /** Recomputes the segment with autograd and back-propagates {@code y}'s whole gradient through it. */
        private final class OutputGradHook extends TensorTensorHook {
            @Override
            public TensorBase call(TensorBase gradOutput) {
                releaseReturned();
                checkInputsUnchanged();
                try (StepScope local = new StepScope()) {
                    Tensor g = new Tensor(gradOutput);
                    Generator generator = torch.getDefaultCPUGenerator();
                    Tensor current = generator.get_state();
                    generator.set_state(rngState);
                    // Backward runs with grad mode off; the recomputation needs it on to build its graph.
                    try (AutoGradMode on = new AutoGradMode(true)) {
                        List<Tensor> xs = new ArrayList<>(inputs);
                        for (int i : gradInputs) xs.set(i, inputs.get(i).detach().requires_grad_(true));
                        Tensor y = f.apply(Collections.unmodifiableList(xs));
                        if (y.requires_grad()) y.backward(g, new BoolOptional(), false, new TensorArrayRefOptional());
                        for (int k = 0; k < gradInputs.length; k++) {
                            // grad() borrows the copy's own field, freed with the copy: take a handle of our own.
                            Tensor grad = xs.get(gradInputs[k]).grad();
                            inputGrads[k] = grad.defined() ? local.handOver(new Tensor(grad)) : null;
                        }
                    } finally {
                        generator.set_state(current);
                    }
                }
                return gradOutput;
            }
        }

        /** Hands input {@code k}'s recomputed gradient to the engine in place of the alias's zero. */
        private final class InputGradHook extends TensorTensorHook {
            private final int k;

            InputGradHook(int k) {
                this.k = k;
            }

            @Override
            public TensorBase call(TensorBase zero) {
                Tensor grad = inputGrads[k];
                inputGrads[k] = null;
                if (grad == null) return zero; // the output does not depend on this input
                RETURNED.get().add(grad);
                return grad;
            }
        }
    }
}
