package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterWriter;
import dev.lycoris4j.adapters.io.Messages;
import dev.lycoris4j.adapters.merge.NameResolver;
import dev.lycoris4j.adapters.merge.Resolution;
import dev.lycoris4j.adapters.tools.ToolReport.Skipped;
import dev.lycoris4j.adapters.tools.ToolReport.Storage;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.TensorInfo;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code extract}: the weight change between a base and a fine-tuned checkpoint as a LyCORIS file (spec §5.1).
 *
 * <p>Every module whose weight changed (not allclose, as the reference tests) gives {@code D = W_tuned − W_base}:
 * <ul>
 *   <li>Linear and conv layers: in {@code full} mode, or when the rank rule asks for at least out/2, the change
 *       itself ({@code diff}, with {@code diff_b} when the bias changed too); otherwise LoRA/LoCon factors from the
 *       SVD of D flattened to (out, in·k…) ({@code lora_up = U_r·diag(σ_r)}, {@code lora_down = V_rᵀ},
 *       {@code alpha = r}, so scale 1), k×k convs split with a Tucker core unless disabled. LoRA has no bias, so a
 *       changed bias of a low-rank module is dropped and reported;</li>
 *   <li>norm layers (1-D weights) as {@code w_norm}/{@code b_norm} and embeddings as {@code diff}, in {@code full}
 *       mode only, as the reference does.</li>
 * </ul>
 * Modules are named in kohya's style by component ({@link ModuleNaming#kohyaName}), and a name is used only if
 * {@link NameResolver} resolves it back to its module, so merging the file into the base lands every change
 * where it came from. In {@code full} mode with fp32 output, merging reproduces the tuned weights exactly
 * wherever fp32 can (base + (tuned − base) rounds back to tuned except where the difference itself had to round).
 *
 * <p>Both checkpoints are memory-mapped and read one module at a time, each module in its own
 * {@link StepScope}; only the output (factors, or changes in the output dtype in full mode) is held until the
 * atomic write at the end.
 */
public final class DiffExtractor {
    private DiffExtractor() {}

    /** Module paths whose last part names an embedding table (CLIP's token/position embeddings, T5's shared). */
    private static final Pattern EMBEDDING = Pattern.compile("(?:.*_)?embeddings?|embed_tokens|shared|wte|wpe");

    private enum Kind { LINEAR, CONV, NORM, EMBEDDING }

    /** One module's outcome: unchanged, left out, or written. */
    private sealed interface Outcome {}
    private record Unchanged() implements Outcome {}
    private record Left(Skipped skipped) implements Outcome {}
    private record Written(StoredModule module) implements Outcome {}

    public static ToolReport extract(Path base, Path tuned, Path output, ExtractOptions options, Progress progress)
            throws IOException {
        try (SafetensorsFile b = SafetensorsFile.open(base); SafetensorsFile t = SafetensorsFile.open(tuned);
             NoGrad noGrad = new NoGrad()) {
            ModuleNaming naming = ModuleNaming.of(b.names());
            NameResolver resolver = NameResolver.ofTensorNames(b.names());
            List<String> modules = new ArrayList<>();
            for (TensorInfo info : b.infos()) {
                if (info.name().endsWith(".weight") && info.dtype().isFloatingPoint()) {
                    modules.add(info.name().substring(0, info.name().length() - ".weight".length()));
                }
            }

            List<StoredModule> written = new ArrayList<>();
            List<Skipped> skipped = new ArrayList<>();
            int unchanged = 0;
            for (int i = 0; i < modules.size(); i++) {
                String path = modules.get(i);
                progress.step(i, modules.size(), path);
                try (StepScope step = new StepScope()) {
                    Outcome o = module(b, t, path, naming, resolver, options);
                    switch (o) {
                        case Unchanged u -> unchanged++;
                        case Left l -> skipped.add(l.skipped());
                        case Written w -> {
                            w.module().tensors().values().forEach(StepScope::keep);
                            written.add(w.module());
                        }
                    }
                }
            }
            progress.step(modules.size(), modules.size(), "");

            List<String> notes = new ArrayList<>();
            notes.add(unchanged + " of " + modules.size() + " modules unchanged");
            notes.addAll(tensorsOutsideModules(b, t, modules));

            // The tensors already have their dtypes (the sparse residual's are fixed by the format), so none is forced.
            AdapterWriter.write(output, StoredModule.stateDict(written), Map.of("lycoris4j_extract", options.describe()), null);
            return new ToolReport(output, written.stream().map(StoredModule::result).toList(), skipped, notes);
        }
    }

    private static Outcome module(SafetensorsFile b, SafetensorsFile t, String path, ModuleNaming naming,
                                  NameResolver resolver, ExtractOptions options) throws IOException {
        String weightKey = path + ".weight";
        if (!t.contains(weightKey)) return left(path, "missing from the tuned checkpoint");
        long[] shape = b.info(weightKey).shape();
        if (!Arrays.equals(shape, t.info(weightKey).shape())) {
            return left(path, "shape " + Arrays.toString(shape) + " in the base but "
                    + Arrays.toString(t.info(weightKey).shape()) + " in the tuned checkpoint");
        }
        Kind kind = kind(path, shape);
        if (kind == null) return left(path, "a " + shape.length + "-d weight belongs to no Linear, conv or norm layer");
        Tensor wb = b.load(weightKey, DType.F32);
        Tensor wt = t.load(weightKey, DType.F32);
        Tensor db = biasChange(b, t, path + ".bias");
        if (wt.allclose(wb)) {
            return db == null ? new Unchanged()
                    : left(path, "only its bias changed; modules are extracted when their weight changed");
        }
        boolean full = options.rule().mode() == RankRule.Mode.FULL;
        if (!full && (kind == Kind.NORM || kind == Kind.EMBEDDING)) {
            return left(path, kind.name().toLowerCase(Locale.ROOT) + " layers are stored in full mode only");
        }
        String name = naming.kohyaName(path);
        // Names flatten '.' and '_' alike, so a name could land on another module; such a file would not merge back.
        String mismatch = switch (resolver.resolve(name)) {
            case Resolution.Resolved r -> r.modulePath().equals(path) ? null : "it names " + r.modulePath();
            case Resolution.Unresolved u -> u.message();
        };
        if (mismatch != null) return left(path, "its name " + name + " would not merge back into it: " + mismatch);
        Tensor d = wt.sub(wb);
        if (kind == Kind.NORM) return new Written(StoredModule.whole(name, path, Storage.NORM, d, db, options.dtype(), List.of()));
        if (full) return new Written(StoredModule.whole(name, path, Storage.FULL, d, db, options.dtype(), List.of()));
        return lowRank(name, path, d, db, options);
    }

    /** The SVD route; falls back to storing the change whole when the rank reaches out/2, as the reference does. */
    private static Outcome lowRank(String name, String path, Tensor d, Tensor db, ExtractOptions options) {
        long[] shape = Tensors.shape(d);
        boolean kxk = false;
        for (int i = 2; i < shape.length; i++) kxk |= shape[i] != 1;
        LowRank.Svd svd = LowRank.Svd.of(d);
        int rank = options.rule().rank(svd.singularValues(), kxk, Math.min(shape[0], shape[1]));
        if (rank >= shape[0] / 2.0) {
            return new Written(StoredModule.whole(name, path, Storage.FULL, d, db, options.dtype(),
                    List.of("rank " + rank + " ≥ out/2, stored whole")));
        }
        LowRank.Factors factors = LowRank.truncate(svd, shape, rank);
        if (options.tucker() && kxk) factors = LowRank.tucker(factors);
        factors = factors.to(options.dtype());
        List<String> notes = new ArrayList<>();
        if (db != null) notes.add("bias change dropped: LoRA has no bias");
        Map<String, Tensor> sparse = Map.of();
        if (options.sparseBias()) {
            try {
                Tensor residual = d.sub(factors.to(DType.F32).deltaWeight(shape)).reshape(shape[0], -1);
                sparse = SparseResidual.of(residual, options.sparsity());
                notes.add("sparse residual of " + sparse.get(SparseResidual.VALUES).numel() + " entries (not read by LyCORIS loaders)");
            } catch (IllegalArgumentException e) {
                notes.add("no sparse residual: " + Messages.firstLine(e.getMessage()));
            }
        }
        return new Written(StoredModule.lora(name, path, d, factors, notes).with(sparse));
    }

    /** {@code b_tuned − b_base} when both checkpoints have the bias and it differs at all, else null. */
    private static Tensor biasChange(SafetensorsFile b, SafetensorsFile t, String biasKey) throws IOException {
        if (!b.contains(biasKey) || !t.contains(biasKey) || !b.info(biasKey).dtype().isFloatingPoint()) return null;
        if (!Arrays.equals(b.info(biasKey).shape(), t.info(biasKey).shape())) return null;
        Tensor bb = b.load(biasKey, DType.F32);
        Tensor bt = t.load(biasKey, DType.F32);
        return bt.equal(bb) ? null : bt.sub(bb);
    }

    private static Kind kind(String path, long[] shape) {
        return switch (shape.length) {
            case 1 -> Kind.NORM;
            case 2 -> EMBEDDING.matcher(path.substring(path.lastIndexOf('.') + 1)).matches() ? Kind.EMBEDDING : Kind.LINEAR;
            case 3, 4, 5 -> Kind.CONV;
            default -> null;
        };
    }

    private static Outcome left(String path, String reason) {
        return new Left(new Skipped(path, reason));
    }

    /**
     * Tensors that are no module's weight or bias, compared between the files, and tensors found in one file only:
     * the extractor cannot carry them, so the report says so rather than dropping them silently.
     */
    private static List<String> tensorsOutsideModules(SafetensorsFile b, SafetensorsFile t, List<String> modules)
            throws IOException {
        Set<String> covered = new HashSet<>();
        for (String m : modules) {
            covered.add(m + ".weight");
            covered.add(m + ".bias");
        }
        List<String> changed = new ArrayList<>();
        for (String name : b.names()) {
            if (covered.contains(name) || !t.contains(name)) continue;
            if (!Arrays.equals(b.info(name).shape(), t.info(name).shape()) || b.info(name).dtype() != t.info(name).dtype()) {
                changed.add(name);
                continue;
            }
            try (StepScope step = new StepScope()) {
                if (!b.view(name).equal(t.view(name))) changed.add(name);
            }
        }
        List<String> notes = new ArrayList<>();
        if (!changed.isEmpty()) notes.add("changed but belonging to no module, not extracted: " + String.join(", ", changed));
        List<String> onlyTuned = t.names().stream().filter(n -> !b.contains(n)).toList();
        if (!onlyTuned.isEmpty()) notes.add(onlyTuned.size() + " tensors only in the tuned checkpoint, not extracted: "
                + String.join(", ", onlyTuned.subList(0, Math.min(5, onlyTuned.size()))) + (onlyTuned.size() > 5 ? ", ..." : ""));
        return notes;
    }
}
