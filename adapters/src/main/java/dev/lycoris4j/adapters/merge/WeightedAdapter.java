package dev.lycoris4j.adapters.merge;

import dev.lycoris4j.adapters.io.AdapterFile;

/** An adapter file and the multiplier it is merged with. */
public record WeightedAdapter(AdapterFile file, double scale) {
    public WeightedAdapter {
        if (!Double.isFinite(scale)) throw new IllegalArgumentException(file.path() + ": scale must be finite, got " + scale);
    }
}
