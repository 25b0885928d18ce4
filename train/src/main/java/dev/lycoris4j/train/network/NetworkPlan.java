package dev.lycoris4j.train.network;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.AdaptableLayer;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.nn.Module;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which layers a network wraps and with which config (spec lycoris-reference §4.2/§4.3), without
 * creating anything: text encoders first, then the UNet, each walked in pre-order like {@code named_modules()}.
 *
 * <p>A Linear or Conv layer (or, with {@code train_norm}, a LayerNorm/GroupNorm) is wrapped when, in this order
 * of precedence:
 * <ol>
 *   <li>its file path matches an exclusion: never wrapped;</li>
 *   <li>it matches a {@code name_algo_map} pattern: wrapped with that config, even inside a class target
 *       (an explicit name rule overrides a class rule; the reference lets whichever claims first win);</li>
 *   <li>an ancestor (or itself) is of a target class: wrapped with the {@code module_algo_map} config of the
 *       innermost class that has one, counting from the outermost target down to the layer itself;</li>
 *   <li>it matches a target name: wrapped with the {@code module_algo_map} config of its own class, if any.</li>
 * </ol>
 * Ranks: Linear and convs whose first kernel dim is 1 take the linear dim/alpha; k×k convs take the conv
 * dim/alpha and are skipped when that dim is 0 ({@code enable_conv = false} sets it to 0) unless the module
 * config gives a dim. A module config's dim and alpha, when present and non-zero, replace the network's.
 */
public final class NetworkPlan {
    private NetworkPlan() {}

    public static List<PlannedModule> of(List<NetworkComponent> components, NetworkConfig config) {
        List<PlannedModule> out = new ArrayList<>();
        for (NetworkComponent c : components) {
            if (c.role() == NetworkComponent.Role.TEXT_ENCODER && !config.trainTextEncoder()) continue;
            new Walk(c, config, out).visit(c.root(), "", false, null);
        }
        Set<String> names = new HashSet<>();
        for (PlannedModule m : out) {
            if (!names.add(m.name())) {
                throw new IllegalArgumentException("two layers get the module name " + m.name()
                        + "; module names must be unique (check the components' prefixes)");
            }
        }
        return out;
    }

    /** One component's walk, with the preset's rules compiled for its role. */
    private static final class Walk {
        private final NetworkComponent component;
        private final NetworkConfig config;
        private final List<PlannedModule> out;
        private final Set<String> targetClasses = new HashSet<>();
        private final List<NamePattern> targetNames = new ArrayList<>();
        private final List<NamePattern> excludes = new ArrayList<>();
        private final Map<NamePattern, ModuleConfig> nameConfigs = new LinkedHashMap<>();
        private final Map<String, ModuleConfig> classConfigs = new HashMap<>();

        Walk(NetworkComponent component, NetworkConfig config, List<PlannedModule> out) {
            this.component = component;
            this.config = config;
            this.out = out;
            NetworkPreset p = config.preset();
            boolean te = component.role() == NetworkComponent.Role.TEXT_ENCODER;
            for (String c : te ? p.textEncoderTargetModules() : p.unetTargetModules()) targetClasses.add(ClassAliases.canonical(c));
            for (String n : te ? p.textEncoderTargetNames() : p.unetTargetNames()) targetNames.add(NamePattern.of(n, p.useFnmatch()));
            for (String n : p.excludeNames()) excludes.add(NamePattern.of(n, p.useFnmatch()));
            p.nameAlgoMap().forEach((n, cfg) -> nameConfigs.put(NamePattern.of(n, p.useFnmatch()), cfg));
            p.moduleAlgoMap().forEach((c, cfg) -> classConfigs.put(ClassAliases.canonical(c), cfg));
        }

        /**
         * @param inTarget    whether an ancestor is of a target class (the outermost one claims the subtree)
         * @param classConfig the module_algo_map config in force below that target, or null
         */
        void visit(Module m, String path, boolean inTarget, ModuleConfig classConfig) {
            String type = ClassAliases.canonical(m.typeName());
            if (!inTarget && targetClasses.contains(type)) {
                inTarget = true;
                classConfig = null;
            }
            if (inTarget && classConfigs.containsKey(type)) classConfig = classConfigs.get(type);
            if (m instanceof AdaptableLayer layer) consider(layer, path, inTarget, classConfig);
            for (Map.Entry<String, Module> child : m.children().entrySet()) {
                visit(child.getValue(), path.isEmpty() ? child.getKey() : path + "." + child.getKey(), inTarget, classConfig);
            }
        }

        private void consider(AdaptableLayer layer, String path, boolean inTarget, ModuleConfig classConfig) {
            String filePath = component.naming().path(path);
            for (NamePattern x : excludes) if (x.matches(filePath)) return;
            ModuleConfig cfg = null;
            for (Map.Entry<NamePattern, ModuleConfig> e : nameConfigs.entrySet()) {
                if (e.getKey().matches(filePath)) {
                    cfg = e.getValue();
                    break;
                }
            }
            if (cfg == null && inTarget) cfg = classConfig == null ? ModuleConfig.NONE : classConfig;
            if (cfg == null && targetNames.stream().anyMatch(n -> n.matches(filePath))) {
                cfg = classConfigs.getOrDefault(ClassAliases.canonical(layer.typeName()), ModuleConfig.NONE);
            }
            if (cfg == null) return;
            AdapterConfig adapter = adapterConfig(layer.spec(), cfg);
            if (adapter == null) return;
            String name = component.prefix() + "_" + filePath.replace('.', '_');
            out.add(new PlannedModule(name, component.role(), path, layer, adapter));
        }

        /** The layer's adapter config, or null when the layer is not wrapped (rank 0, norms without train_norm). */
        private AdapterConfig adapterConfig(LayerSpec spec, ModuleConfig cfg) {
            AdapterConfig base = config.adapter();
            return switch (spec) {
                case LayerSpec.LayerNorm n -> norm(base);
                case LayerSpec.GroupNorm n -> norm(base);
                case LayerSpec.Linear l -> ranked(cfg, base.dim(), base.alpha());
                // The reference looks at the first kernel dim only (`k_size, *_ = kernel_size`).
                case LayerSpec.Conv c when c.kernel()[0] == 1 -> ranked(cfg, base.dim(), base.alpha());
                case LayerSpec.Conv c -> ranked(cfg, config.preset().enableConv() ? config.convDim() : 0, config.convAlpha());
            };
        }

        private AdapterConfig norm(AdapterConfig base) {
            return config.trainNorm() ? ModuleConfig.withAlgorithm(base, Algorithm.NORM) : null;
        }

        /** Python's {@code cfg.dim or dim}, {@code cfg.alpha or alpha}: absent or zero falls back. */
        private AdapterConfig ranked(ModuleConfig cfg, int dim, double alpha) {
            int d = cfg.dim() != null && cfg.dim() != 0 ? cfg.dim() : dim;
            if (d <= 0) return null;
            double a = cfg.alpha() != null && cfg.alpha() != 0 ? cfg.alpha() : alpha;
            return cfg.applyTo(config.adapter(), d, a);
        }
    }
}
