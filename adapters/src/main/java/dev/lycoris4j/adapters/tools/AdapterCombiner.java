package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.AdapterWriter;
import dev.lycoris4j.adapters.io.Messages;
import dev.lycoris4j.adapters.io.UnrecognizedModule;
import dev.lycoris4j.adapters.merge.WeightedAdapter;
import dev.lycoris4j.adapters.tools.ToolReport.Skipped;
import dev.lycoris4j.adapters.tools.ToolReport.Storage;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code merge --combine}: several adapters, each at its scale, summed into one file. Merging the result at scale
 * 1 does what merging all of them does, since a merge adds every adapter's change to the stored weight
 * ({@link dev.lycoris4j.adapters.AdapterChain}). Modules of the same name are summed: {@code ΣᵢΔWᵢ} (and
 * {@code ΣᵢΔbᵢ}), stored whole ({@code diff}/{@code diff_b}) by default, or as a LoRA of the requested rank by
 * truncated SVD (which drops bias changes, reported). Norm-layer modules stay {@code w_norm}/{@code b_norm}.
 *
 * <p>For algorithms whose change depends on the weight (OFT, BOFT, (IA)³, GLoRA, DoRA) the change is taken
 * against the {@code --base} checkpoint, so the result reproduces the merge into that checkpoint.
 */
public final class AdapterCombiner {
    private AdapterCombiner() {}

    private record Part(AdapterModule module, double scale) {}

    public static ToolReport combine(List<WeightedAdapter> adapters, Path output, CombineOptions options,
                                     Progress progress) throws IOException {
        Map<String, List<Part>> byName = new LinkedHashMap<>();
        List<Skipped> skipped = new ArrayList<>();
        for (WeightedAdapter a : adapters) {
            for (UnrecognizedModule u : a.file().unrecognized()) {
                skipped.add(new Skipped(u.name(), a.file().path().getFileName() + ": " + u.reason()));
            }
            for (AdapterModule m : a.file().modules()) {
                byName.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(new Part(m, a.scale()));
            }
        }
        try (BaseCheckpoint base = options.base() == null ? null : BaseCheckpoint.open(options.base());
             NoGrad noGrad = new NoGrad()) {
            if (base == null) requireNoBaseNeeded(byName);
            List<StoredModule> written = new ArrayList<>();
            int i = 0;
            for (Map.Entry<String, List<Part>> e : byName.entrySet()) {
                progress.step(i++, byName.size(), e.getKey());
                try (StepScope step = new StepScope()) {
                    StoredModule sum = combineModule(e.getKey(), e.getValue(), base, options, skipped);
                    if (sum == null) continue;
                    sum.tensors().values().forEach(StepScope::keep);
                    written.add(sum);
                }
            }
            progress.step(byName.size(), byName.size(), "");
            String how = options.dim() == null ? "full" : "lora dim=" + options.dim();
            AdapterWriter.write(output, StoredModule.stateDict(written),
                    Map.of("lycoris4j_combine", adapters.size() + " adapters as " + how), null);
            return new ToolReport(output, written.stream().map(StoredModule::result).toList(), skipped, List.of());
        }
    }

    private static void requireNoBaseNeeded(Map<String, List<Part>> byName) {
        for (List<Part> parts : byName.values()) {
            for (Part p : parts) {
                if (ModuleDelta.needsBase(p.module())) {
                    throw new IllegalArgumentException("module " + p.module().name() + " (" + p.module().algorithm().id()
                            + ") changes the weight as a function of the weight itself, so its ΔW needs the base model: "
                            + "pass --base CKPT");
                }
            }
        }
    }

    private static StoredModule combineModule(String name, List<Part> parts, BaseCheckpoint base,
                                              CombineOptions options, List<Skipped> skipped) throws IOException {
        long norms = parts.stream().filter(p -> p.module().algorithm() == Algorithm.NORM).count();
        if (norms != 0 && norms != parts.size()) {
            skipped.add(new Skipped(name, "a norm-layer module and another algorithm's module share this name"));
            return null;
        }
        List<ModuleDelta> deltas = new ArrayList<>();
        try {
            for (Part p : parts) {
                BaseCheckpoint.Target target = base != null ? base.target(p.module()) : BaseCheckpoint.Target.inferred(p.module(), null);
                deltas.add(ModuleDelta.of(p.module(), target, p.scale()));
            }
        } catch (IllegalArgumentException e) {
            skipped.add(new Skipped(name, Messages.firstLine(e.getMessage())));
            return null;
        }
        long[] shape = richestShape(deltas);
        Tensor weight = null;
        Tensor bias = null;
        for (ModuleDelta d : deltas) {
            long[] s = Tensors.shape(d.weight());
            if (Tensors.numel(s) != Tensors.numel(shape) || s[0] != shape[0]) {
                skipped.add(new Skipped(name, "the adapters disagree on the layer: weight shapes "
                        + Arrays.toString(s) + " and " + Arrays.toString(shape)));
                return null;
            }
            Tensor w = d.weight().reshape(shape);
            weight = weight == null ? w : weight.add(w);
            if (d.bias() != null) bias = bias == null ? d.bias() : bias.add(d.bias());
        }
        String source = describe(parts);
        if (norms > 0) return StoredModule.whole(name, source, Storage.NORM, weight, bias, options.dtype(), List.of());
        if (options.dim() == null) return StoredModule.whole(name, source, Storage.FULL, weight, bias, options.dtype(), List.of());
        LowRank.Svd svd = LowRank.Svd.of(weight);
        int rank = (int) Math.min(options.dim(), svd.s().size(0));
        LowRank.Factors factors = LowRank.truncate(svd, shape, rank).to(options.dtype());
        List<String> notes = bias == null ? List.of() : List.of("bias change dropped: LoRA has no bias");
        return StoredModule.lora(name, source, weight, factors, notes);
    }

    /**
     * Without a checkpoint each module's layer is read from its own tensors, and a LoHa/LoKr conv without Tucker
     * reads as a Linear over the flattened kernel; the shape with the most axes is the true one.
     */
    private static long[] richestShape(List<ModuleDelta> deltas) {
        long[] best = Tensors.shape(deltas.getFirst().weight());
        for (ModuleDelta d : deltas) {
            long[] s = Tensors.shape(d.weight());
            if (s.length > best.length) best = s;
        }
        return best;
    }

    private static String describe(List<Part> parts) {
        List<String> terms = new ArrayList<>();
        for (Part p : parts) terms.add(String.format(Locale.ROOT, "%s×%s", p.module().algorithm().id(), p.scale()));
        return String.join(" + ", terms);
    }
}
