package dev.lycoris4j.adapters.merge;

import dev.lycoris4j.adapters.io.ModulePrefix;
import dev.lycoris4j.adapters.merge.Resolution.Reason;
import dev.lycoris4j.core.naming.UnetNaming;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the checkpoint module an adapter module name refers to. Names are not reversible ('_' is both the
 * separator and part of names like {@code to_q}, spec §4.1), so the lookup goes the other way, as kohya,
 * LyCORIS and ComfyUI do: every checkpoint module path is flattened ('.' → '_') under each component root
 * and looked up by the adapter's name without its prefix.
 *
 * <p>Which roots a prefix may refer to: {@code lora_unet} → {@code unet.}, {@code transformer.},
 * {@code model.diffusion_model.} or the root; {@code lora_te}/{@code lora_te1} → {@code text_encoder.},
 * {@code te.}, {@code te1.}, the LDM/SGM text-encoder prefix or the root; {@code lora_te2} →
 * {@code text_encoder_2.} or {@code te2.}; {@code lycoris} → the root or any one top-level component (the
 * generic wrapper names modules relative to whatever model it wrapped). A name matching in more than one
 * place is ambiguous, never guessed. UNet modules also answer to their other spelling (diffusers ↔ LDM,
 * see {@link UnetNaming}), consulted only when the name's own spelling matches nothing.
 */
public final class NameResolver {
    private static final String WEIGHT = ".weight";

    private final Set<String> modulePaths;
    private final List<String> topLevelRoots;
    private final Map<String, Map<String, List<String>>> flatByRoot = new HashMap<>();
    private final Map<String, Map<String, List<String>>> aliasesByRoot = new HashMap<>();

    private NameResolver(Set<String> modulePaths) {
        this.modulePaths = modulePaths;
        Set<String> top = new TreeSet<>();
        for (String p : modulePaths) {
            int dot = p.indexOf('.');
            if (dot > 0) top.add(p.substring(0, dot + 1));
        }
        this.topLevelRoots = List.copyOf(top);
    }

    /** Over the modules of a checkpoint: every tensor name ending in {@code .weight} is one. */
    public static NameResolver ofTensorNames(Collection<String> tensorNames) {
        Set<String> paths = new LinkedHashSet<>();
        for (String n : tensorNames) {
            if (n.endsWith(WEIGHT)) paths.add(n.substring(0, n.length() - WEIGHT.length()));
        }
        return new NameResolver(paths);
    }

    public Resolution resolve(String moduleName) {
        Optional<ModulePrefix> prefix = ModulePrefix.of(moduleName);
        if (prefix.isEmpty()) {
            return new Resolution.Unresolved(moduleName, Reason.UNKNOWN_PREFIX, "expected " + ModulePrefix.known(), List.of());
        }
        String flat = prefix.get().flatPath(moduleName);
        List<String> roots = roots(prefix.get());
        Set<String> direct = lookUp(roots, flat, flatByRoot, this::flatIndex);
        if (direct.isEmpty() && prefix.get() == ModulePrefix.UNET) {
            Set<String> viaAlias = lookUp(roots, flat, aliasesByRoot, this::aliasIndex);
            if (!viaAlias.isEmpty()) return decide(moduleName, viaAlias, true);
        }
        if (direct.isEmpty()) {
            return new Resolution.Unresolved(moduleName, Reason.NOT_FOUND, "no module path under "
                    + describe(roots) + " flattens to '" + flat + "'", List.of());
        }
        return decide(moduleName, direct, false);
    }

    private static Resolution decide(String moduleName, Set<String> candidates, boolean viaAlias) {
        if (candidates.size() == 1) return new Resolution.Resolved(moduleName, candidates.iterator().next(), viaAlias);
        return new Resolution.Unresolved(moduleName, Reason.AMBIGUOUS, "", new ArrayList<>(candidates));
    }

    private List<String> roots(ModulePrefix prefix) {
        return switch (prefix) {
            case UNET -> List.of("unet.", "transformer.", "model.diffusion_model.", "");
            case TEXT_ENCODER -> List.of("text_encoder.", "te.", "te1.", "cond_stage_model.transformer.", "");
            case TEXT_ENCODER_1 -> List.of("text_encoder.", "te1.", "te.", "conditioner.embedders.0.transformer.", "");
            case TEXT_ENCODER_2 -> List.of("text_encoder_2.", "te2.");
            case LYCORIS -> {
                List<String> all = new ArrayList<>();
                all.add("");
                all.addAll(topLevelRoots);
                yield all;
            }
        };
    }

    private interface IndexBuilder {
        Map<String, List<String>> build(String root);
    }

    /** Full paths whose flattened form under one of {@code roots} is {@code flat}, in root order. */
    private static Set<String> lookUp(List<String> roots, String flat, Map<String, Map<String, List<String>>> cache,
                                      IndexBuilder builder) {
        Set<String> found = new LinkedHashSet<>();
        for (String root : roots) {
            List<String> hits = cache.computeIfAbsent(root, builder::build).get(flat);
            if (hits != null) found.addAll(hits);
        }
        return found;
    }

    /** Flattened relative path → full paths, for the modules under {@code root}. */
    private Map<String, List<String>> flatIndex(String root) {
        Map<String, List<String>> index = new HashMap<>();
        for (String p : modulePaths) {
            if (p.startsWith(root)) index.computeIfAbsent(flatten(p.substring(root.length())), k -> new ArrayList<>()).add(p);
        }
        return index;
    }

    /** Flattened other-spelling path → full paths, for the UNet modules under {@code root}. */
    private Map<String, List<String>> aliasIndex(String root) {
        List<String> relative = new ArrayList<>();
        for (String p : modulePaths) if (p.startsWith(root)) relative.add(p.substring(root.length()));
        Map<String, List<String>> index = new HashMap<>();
        UnetNaming.aliases(relative).forEach((alias, real) ->
                index.computeIfAbsent(flatten(alias), k -> new ArrayList<>()).add(root + real));
        return index;
    }

    private static String flatten(String path) {
        return path.replace('.', '_');
    }

    private static String describe(List<String> roots) {
        List<String> named = new ArrayList<>();
        for (String r : roots) named.add(r.isEmpty() ? "the root" : r);
        return String.join(", ", named);
    }
}
