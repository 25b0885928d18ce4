package dev.lycoris4j.core.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/** {@code torch.nn.ModuleList}: children named "0", "1", ... in insertion order, with typed access. */
public class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    public ModuleList() {}

    public ModuleList(List<? extends M> modules) {
        for (M m : modules) add(m);
    }

    public final M add(M module) {
        register(Integer.toString(items.size()), module);
        items.add(module);
        return module;
    }

    public final M get(int index) { return items.get(index); }

    public final int size() { return items.size(); }

    public final List<M> asList() { return Collections.unmodifiableList(items); }

    @Override public final Iterator<M> iterator() { return asList().iterator(); }
}
