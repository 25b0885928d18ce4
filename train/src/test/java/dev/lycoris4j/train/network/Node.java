package dev.lycoris4j.train.network;

import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.GroupNorm;
import dev.lycoris4j.core.nn.LayerNorm;
import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;

/**
 * A container module with a chosen class name, for rebuilding the reference's hand-made tiny models (which
 * combine kohya's classes in layouts no real config produces) with our layers.
 */
final class Node extends Module {
    private final String type;

    Node(String type) {
        this.type = type;
    }

    Node with(String name, Module child) {
        register(name, child);
        return this;
    }

    /** A {@code Sequential}/{@code ModuleList} with children "0", "1", ... */
    static Node list(String type, Module... children) {
        Node n = new Node(type);
        for (int i = 0; i < children.length; i++) n.with(Integer.toString(i), children[i]);
        return n;
    }

    @Override public String typeName() {
        return type;
    }

    static Linear linear(long in, long out) {
        return new Linear(in, out, true, Placement.cpu());
    }

    static Linear linearNoBias(long in, long out) {
        return new Linear(in, out, false, Placement.cpu());
    }

    static ConvNd conv(long in, long out, long kernel) {
        return new ConvNd(2, in, out, kernel, 1, kernel / 2, true, Placement.cpu());
    }

    static GroupNorm groupNorm(long channels) {
        return new GroupNorm(4, channels, 1e-5, true, Placement.cpu());
    }

    static LayerNorm layerNorm(long dim) {
        return new LayerNorm(dim);
    }
}
