package dev.lycoris4j.diffusion.adapter;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.io.UnrecognizedModule;
import dev.lycoris4j.adapters.merge.Resolution;

import java.nio.file.Path;
import java.util.List;

/**
 * What applying one adapter file to a model did: which modules landed on which layer, which did not
 * and why. Nothing is dropped silently: every key of the file appears in one of the lists.
 */
public record AppliedAdapter(Path file, double scale, boolean bypass, List<Match> matched,
                             List<Resolution.Unresolved> unresolved, List<Failed> failed,
                             List<UnrecognizedModule> unrecognized) {
    public AppliedAdapter {
        matched = List.copyOf(matched);
        unresolved = List.copyOf(unresolved);
        failed = List.copyOf(failed);
        unrecognized = List.copyOf(unrecognized);
    }

    /** An adapter attached to the layer at {@code layerPath} (component-qualified, e.g. {@code unet.conv_in}). */
    public record Match(String moduleName, String layerPath, Adapter adapter) {}

    /** A module that resolved to a layer but could not be loaded onto it. */
    public record Failed(String moduleName, String layerPath, String reason) {}

    public boolean isComplete() {
        return unresolved.isEmpty() && failed.isEmpty() && unrecognized.isEmpty();
    }

    /** The report the CLI prints: a summary line, then one line per module that did not apply. */
    public String report() {
        StringBuilder b = new StringBuilder();
        b.append(file.getFileName()).append(" @ ").append(scale).append(bypass ? " (bypass)" : "").append(": ")
                .append(matched.size()).append(" modules applied");
        int missing = unresolved.size() + failed.size() + unrecognized.size();
        if (missing > 0) b.append(", ").append(missing).append(" not applied");
        for (Resolution.Unresolved u : unresolved) b.append("\n  ").append(u.moduleName()).append(": ").append(u.message());
        for (Failed f : failed) b.append("\n  ").append(f.moduleName()).append(" → ").append(f.layerPath()).append(": ").append(f.reason());
        for (UnrecognizedModule u : unrecognized) b.append("\n  ").append(u.name()).append(": ").append(u.reason());
        return b.toString();
    }
}
