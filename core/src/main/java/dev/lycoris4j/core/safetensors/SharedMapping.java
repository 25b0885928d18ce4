package dev.lycoris4j.core.safetensors;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.PointerConsumer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A read-only file mapping with a reference count: one reference for the open file, one per live zero-copy
 * tensor. It is unmapped when the last one is released, so closing the file while libtorch still reads a view
 * cannot touch unmapped memory.
 *
 * <p>libtorch calls {@link #RELEASE_VIEW} with the view's data address when the view's storage dies. One
 * deleter instance serves all views (JavaCPP callbacks are a scarce native resource), so the mapping is found
 * by address: live mappings occupy disjoint address ranges.
 */
final class SharedMapping {
    private static final ConcurrentSkipListMap<Long, SharedMapping> LIVE = new ConcurrentSkipListMap<>();

    /** Never freed: views may outlive any scope. retainReference keeps an enclosing PointerScope from freeing it. */
    static final PointerConsumer RELEASE_VIEW = new ReleaseView();

    static {
        RELEASE_VIEW.retainReference();
    }

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private int references = 1;

    SharedMapping(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        LIVE.put(segment.address(), this);
    }

    MemorySegment segment() {
        return segment;
    }

    /** Takes a reference; false once the mapping is gone. */
    synchronized boolean tryAcquire() {
        if (references == 0) return false;
        references++;
        return true;
    }

    void release() {
        boolean last;
        synchronized (this) {
            if (references == 0) throw new IllegalStateException("mapping of " + path + " released too often");
            last = --references == 0;
        }
        if (last) {
            LIVE.remove(segment.address(), this);
            arena.close();
        }
    }

    private static final class ReleaseView extends PointerConsumer {
        @Override
        public void call(Pointer data) {
            // Runs inside a libtorch destructor: an escaping exception would abort the process.
            try {
                long address = data.address();
                Map.Entry<Long, SharedMapping> e = LIVE.floorEntry(address);
                if (e == null || address >= e.getKey() + e.getValue().segment.byteSize()) {
                    System.err.println("safetensors: released view at 0x" + Long.toHexString(address)
                            + " belongs to no live mapping");
                    return;
                }
                e.getValue().release();
            } catch (Throwable t) {
                t.printStackTrace();
            }
        }
    }
}
