package dev.lycoris4j.adapters.merge;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.tensor.DType;

import java.nio.file.Path;
import java.util.List;

/**
 * What a merge did: for every adapter file, which modules went into which checkpoint weight and which did not
 * (with the reason); and what happened to the checkpoint's tensors.
 *
 * @param changedTensors   the checkpoint tensors that received an adapter change, in file order
 * @param copiedTensors    tensors copied byte for byte
 * @param convertedTensors unchanged tensors converted to {@code outputDtype}
 * @param outputDtype      the dtype asked for, or null when every tensor kept its own
 */
public record MergeReport(Path base, Path output, DType outputDtype, List<AdapterReport> adapters,
                          List<String> changedTensors, long copiedTensors, long convertedTensors) {

    public MergeReport {
        adapters = List.copyOf(adapters);
        changedTensors = List.copyOf(changedTensors);
    }

    /** One adapter file's modules, matched and not. */
    public record AdapterReport(Path file, double scale, List<Match> matched, List<Miss> unmatched) {
        public AdapterReport {
            matched = List.copyOf(matched);
            unmatched = List.copyOf(unmatched);
        }
    }

    /**
     * @param weightKey the checkpoint tensor the module changed ({@code <module path>.weight})
     * @param viaAlias  matched through the other UNet spelling (diffusers ↔ LDM)
     */
    public record Match(String module, Algorithm algorithm, String weightKey, boolean viaAlias) {}

    public record Miss(String module, String reason) {}

    /** True when every module of every adapter file went into the checkpoint. */
    public boolean allMatched() {
        return adapters.stream().allMatch(a -> a.unmatched().isEmpty());
    }
}
