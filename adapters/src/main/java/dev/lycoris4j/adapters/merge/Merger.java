package dev.lycoris4j.adapters.merge;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.LayerShapes;
import dev.lycoris4j.adapters.io.TensorBytes;
import dev.lycoris4j.adapters.io.UnrecognizedModule;
import dev.lycoris4j.adapters.merge.MergeReport.AdapterReport;
import dev.lycoris4j.adapters.merge.MergeReport.Match;
import dev.lycoris4j.adapters.merge.MergeReport.Miss;
import dev.lycoris4j.core.io.IoConsumer;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsLayout;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.safetensors.TensorInfo;
import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges adapters into a checkpoint (spec §5.2, with the forward semantics): for every adapted module
 * {@code W' = W + Σᵢ (Wᵢ' − W)}, each adapter's merged weight taken against the stored one at its own scale, as
 * {@link dev.lycoris4j.adapters.AdapterChain} stacks them. So LoHa/LoKr apply alpha/r once, as their forward
 * does, not twice as the reference's {@code merge_to} does (quirk §8.1).
 *
 * <p>The checkpoint is a plain safetensors state dict with {@code <module path>.weight} (and {@code .bias})
 * keys. It is memory-mapped and the result is streamed tensor by tensor: each changed module is computed in
 * fp32 when its turn comes and cast back; every other tensor is copied byte for byte, or converted when an
 * output dtype is asked for. The metadata is kept. The write is atomic.
 */
public final class Merger {
    private Merger() {}

    /**
     * @param outputDtype dtype for every floating-point tensor of the result, or null to keep each tensor's own
     * @return which modules matched which weights, and which did not and why
     * @throws IOException when the base cannot be read or the output cannot be written; problems with single
     *                     modules never throw, they are in the report
     */
    public static MergeReport merge(Path base, List<WeightedAdapter> adapters, Path output, DType outputDtype)
            throws IOException {
        if (outputDtype != null && !outputDtype.isFloatingPoint()) {
            throw new IllegalArgumentException("the output dtype must be a floating-point type, not " + outputDtype);
        }
        try (SafetensorsFile file = SafetensorsFile.open(base); NoGrad noGrad = new NoGrad()) {
            NameResolver resolver = NameResolver.ofTensorNames(file.names());
            Map<String, ModuleMerge> byKey = new LinkedHashMap<>();
            List<List<Match>> matched = new ArrayList<>();
            List<List<Miss>> unmatched = new ArrayList<>();
            for (WeightedAdapter adapter : adapters) {
                List<Match> hits = new ArrayList<>();
                List<Miss> misses = new ArrayList<>();
                for (UnrecognizedModule u : adapter.file().unrecognized()) misses.add(new Miss(u.name(), u.reason()));
                for (AdapterModule m : adapter.file().modules()) {
                    attach(file, resolver, m, adapter.scale(), byKey, hits, misses);
                }
                matched.add(hits);
                unmatched.add(misses);
            }

            Counts counts = new Counts();
            List<SafetensorsWriter.Streamed> entries = new ArrayList<>();
            for (TensorInfo info : file.infos()) {
                DType dtype = outputDtype(info, outputDtype);
                ModuleMerge merge = byKey.get(info.name());
                entries.add(new SafetensorsWriter.Streamed(new SafetensorsLayout.Entry(info.name(), dtype, info.shape()),
                        sink -> writeTensor(file, info, dtype, merge, outputDtype, counts, sink)));
            }
            SafetensorsWriter.writeStreamed(output, entries, file.metadata());

            List<AdapterReport> reports = new ArrayList<>();
            for (int i = 0; i < adapters.size(); i++) {
                reports.add(report(adapters.get(i), matched.get(i), unmatched.get(i), byKey));
            }
            List<String> changed = new ArrayList<>();
            for (String name : file.names()) if (counts.changed.contains(name)) changed.add(name);
            return new MergeReport(base, output, outputDtype, reports, changed, counts.copied, counts.converted);
        }
    }

    /** Resolves one module and stacks its adapter on the checkpoint module, or records why it cannot be. */
    private static void attach(SafetensorsFile file, NameResolver resolver, AdapterModule module, double scale,
                               Map<String, ModuleMerge> byKey, List<Match> hits, List<Miss> misses) throws IOException {
        Resolution resolution = resolver.resolve(module.name());
        if (resolution instanceof Resolution.Unresolved u) {
            misses.add(new Miss(module.name(), u.message()));
            return;
        }
        Resolution.Resolved r = (Resolution.Resolved) resolution;
        String weightKey = r.modulePath() + ".weight";
        TensorInfo weight = file.info(weightKey);
        if (!weight.dtype().isFloatingPoint()) {
            misses.add(new Miss(module.name(), "checkpoint weight " + weightKey + " is " + weight.dtype()
                    + ", not a floating-point tensor"));
            return;
        }
        Adapter adapter;
        try {
            adapter = module.load(LayerShapes.ofWeightShape(weight.shape()));
        } catch (IllegalArgumentException e) {
            misses.add(new Miss(module.name(), "does not fit " + weightKey + " " + weight.dtype()
                    + Arrays.toString(weight.shape()) + ": " + e.getMessage()));
            return;
        }
        String biasKey = r.modulePath() + ".bias";
        ModuleMerge merge = byKey.get(weightKey);
        if (merge == null) {
            merge = new ModuleMerge(weightKey, file.contains(biasKey) ? biasKey : null);
            byKey.put(weightKey, merge);
            if (merge.biasKey != null) byKey.put(biasKey, merge);
        }
        merge.add(adapter, scale);
        hits.add(new Match(module.name(), module.algorithm(), weightKey, r.viaAlias()));
    }

    private static void writeTensor(SafetensorsFile file, TensorInfo info, DType dtype, ModuleMerge merge,
                                    DType outputDtype, Counts counts, IoConsumer<ByteBuffer> sink) throws IOException {
        if (merge != null) {
            Tensor merged = merge.take(file, info.name(), outputDtype);
            if (merged != null) {
                try (merged) {
                    TensorBytes.stream(merged, sink);
                }
                counts.changed.add(info.name());
                return;
            }
        }
        if (dtype == info.dtype()) {
            TensorBytes.stream(file.bytes(info.name()), sink);
            counts.copied++;
        } else {
            try (StepScope step = new StepScope()) {
                TensorBytes.stream(file.load(info.name(), dtype), sink);
            }
            counts.converted++;
        }
    }

    /** A floating-point tensor goes out in the requested dtype; integer tensors and every tensor when none is requested keep theirs. */
    static DType outputDtype(TensorInfo info, DType requested) {
        return requested != null && info.dtype().isFloatingPoint() ? requested : info.dtype();
    }

    /** The file's report, with modules whose merge failed moved from matched to unmatched. */
    private static AdapterReport report(WeightedAdapter adapter, List<Match> hits, List<Miss> misses,
                                        Map<String, ModuleMerge> byKey) {
        List<Match> matched = new ArrayList<>();
        List<Miss> unmatched = new ArrayList<>(misses);
        for (Match m : hits) {
            String failure = byKey.get(m.weightKey()).failure();
            if (failure == null) matched.add(m);
            else unmatched.add(new Miss(m.module(), "failed while merging into " + m.weightKey() + ": " + failure));
        }
        return new AdapterReport(adapter.file().path(), adapter.scale(), matched, unmatched);
    }

    /** What happened to the checkpoint's tensors, filled in while writing. */
    private static final class Counts {
        final Set<String> changed = new HashSet<>();
        long copied;
        long converted;
    }
}
