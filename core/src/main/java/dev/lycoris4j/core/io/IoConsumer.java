package dev.lycoris4j.core.io;

import java.io.IOException;

/** A consumer that may throw IOException: the body of a file write. */
@FunctionalInterface
public interface IoConsumer<T> {
    void accept(T value) throws IOException;
}
