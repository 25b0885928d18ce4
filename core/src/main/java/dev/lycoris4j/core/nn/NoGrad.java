package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.NoGradGuard;

/** Disables autograd recording for a try-with-resources block (weight copies, merges, inference). */
public final class NoGrad implements AutoCloseable {
    private final NoGradGuard guard = new NoGradGuard();

    @Override
    public void close() {
        guard.close();
    }
}
