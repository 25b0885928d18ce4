package dev.lycoris4j.core.memory;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

import java.util.Iterator;

/**
 * Frees every native object (tensors, optionals, scalars, vectors) created on this thread during one
 * training or sampling step when the step ends, instead of waiting for the garbage collector, which
 * under load lets native memory grow without bound. A thin wrapper over JavaCPP's {@link PointerScope}.
 *
 * <h2>The rule</h2>
 * <ol>
 *   <li>Open one scope per step, on the thread that runs the step, in try-with-resources. Everything
 *       created on that thread while it is the innermost open scope is released at {@link #close()}.</li>
 *   <li>What existed before the scope is never touched: model parameters, the optimizer and its
 *       parameter vector, state tensors allocated up front.</li>
 *   <li>To carry results out of the step:
 *     <ul>
 *       <li>numbers: read them into Java before close ({@code loss.item_double()});</li>
 *       <li>parameters and state updated <em>in place</em> ({@code p.sub_(..)}, {@code m.mul_(..).add_(..)},
 *           a native optimizer's {@code step()}) survive: the in-place op returns a second handle to the
 *           same storage, which is released, while the storage stays with its outside owner;</li>
 *       <li>a <em>new</em> tensor that must outlive the step (an EMA copy made lazily, a sample to save):
 *           pass it to {@link #keep}. From then on its Java object owns it: {@code close()} it when it is
 *           replaced, or leave it to the garbage collector if it lives as long as the run.</li>
 *     </ul></li>
 *   <li>Never cache in a field a native object created inside a step (a {@code Scalar}, a
 *       {@code TensorOptions}, a {@code Device}): after close it points at freed memory. Create such
 *       constants outside any scope, or {@link #keep} them.</li>
 *   <li>Tensors registered in a {@code Module} (parameter, buffer, replacement after a dtype/device move
 *       or a load) are kept automatically, so building or moving a model inside a scope is safe.</li>
 *   <li>Gradients live in the parameters' native autograd state, not in Java handles: they survive the
 *       step and accumulate, so zero them every step ({@code optimizer.zero_grad()}).</li>
 * </ol>
 * Scopes nest: an inner scope frees what was created while it was innermost, and {@link #keep} detaches
 * a pointer from whichever open scope of this thread holds it. A sub-step (one checkpointed segment's
 * forward or recomputation) opens an inner scope to free its temporaries early and {@link #handOver}s the
 * few results the enclosing step still needs.
 */
public final class StepScope implements AutoCloseable {
    // Read before this scope pushes itself: the scope that results are handed over to.
    private final PointerScope outer = PointerScope.getInnerScope();
    private final PointerScope scope = new PointerScope();

    /**
     * Lets {@code p} outlive every scope open on this thread. A pointer no scope holds (reference count 0,
     * e.g. created before any scope opened) or without a deallocator (count −1) is returned unchanged:
     * detaching it would release its only reference and free it.
     */
    public static <P extends Pointer> P keep(P p) {
        if (p == null || p.referenceCount() <= 0) return p;
        Iterator<PointerScope> scopes = PointerScope.getScopeIterator();
        while (scopes.hasNext()) {
            // detach() releases one reference, so take one first: the count stays where it was when
            // the scope held p, and becomes the reference of p's own Java object.
            p.retainReference();
            scopes.next().detach(p);
        }
        return p;
    }

    /**
     * Moves {@code p}, which must have been created while this scope was the innermost one, to the scope that
     * was innermost when this one opened: it then lives until that scope closes (or, with none open, as long
     * as its own Java object) instead of being freed with this scope's temporaries. A pointer this scope does not
     * hold must not be handed over: the outer scope would then free a pointer that belongs to someone else.
     */
    public <P extends Pointer> P handOver(P p) {
        if (p == null || p.referenceCount() <= 0) return p;
        // detach() releases one reference and attach() takes one: retain first so the count never reaches 0.
        p.retainReference();
        scope.detach(p);
        if (outer != null) {
            outer.attach(p);
            p.releaseReference();
        }
        return p;
    }

    /** Releases everything created in this step and not kept. */
    @Override
    public void close() {
        scope.close();
    }
}
