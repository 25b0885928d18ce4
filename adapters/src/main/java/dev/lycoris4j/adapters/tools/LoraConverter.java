package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.io.AdapterWriter;
import dev.lycoris4j.adapters.io.Messages;
import dev.lycoris4j.adapters.io.UnrecognizedModule;
import dev.lycoris4j.adapters.tools.ToolReport.Skipped;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code convert --to lora}: any adapter as a plain LoRA/LoCon, for programs that read only LoRA. Each module's
 * change ΔW (at multiplier 1, as a merge applies it) is factored by truncated SVD at the requested rank, the best
 * approximation of that rank; at full rank the LoRA reproduces ΔW up to rounding. The report gives
 * ‖ΔW − ΔW_lora‖/‖ΔW‖ per module and for the whole file, measured on the factors as written.
 *
 * <p>What a plain LoRA cannot hold is reported, not converted: norm-layer modules, and bias changes (Full's
 * {@code diff_b}). Convs become LoCon without a Tucker core. Without {@code --base}, a module's layer is read from
 * its tensor shapes, where LoHa/LoKr convs without Tucker look like Linear layers over the flattened kernel (their
 * LoRA then has 2-D factors); with {@code --base} every layer has its checkpoint shape.
 */
public final class LoraConverter {
    private LoraConverter() {}

    public static ToolReport convert(Path input, Path output, ConvertOptions options, Progress progress) throws IOException {
        List<Skipped> skipped = new ArrayList<>();
        List<SourceModule> sources = read(input, skipped);
        try (BaseCheckpoint base = options.base() == null ? null : BaseCheckpoint.open(options.base());
             NoGrad noGrad = new NoGrad()) {
            checkInputsSuffice(sources, base, options.keys());
            ModuleNaming naming = base != null ? base.naming()
                    : ModuleNaming.of(sources.stream().filter(s -> s.path() != null).map(SourceModule::path).toList());
            List<StoredModule> written = new ArrayList<>();
            Map<String, Tensor> peft = new LinkedHashMap<>();
            for (int i = 0; i < sources.size(); i++) {
                SourceModule source = sources.get(i);
                progress.step(i, sources.size(), source.module().name());
                try (StepScope step = new StepScope()) {
                    StoredModule lora = convertModule(source, base, naming, options, skipped);
                    if (lora == null) continue;
                    lora.tensors().values().forEach(StepScope::keep);
                    written.add(lora);
                    if (style(source, options) == KeyStyle.PEFT) peft.putAll(PeftFormat.keys(lora.result().name(), lora));
                }
            }
            progress.step(sources.size(), sources.size(), "");

            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("lycoris4j_convert", "from " + input.getFileName() + " to lora dim=" + options.dim());
            if (peft.isEmpty()) {
                metadata.put("ss_network_module", "networks.lora");
                metadata.put("ss_network_dim", Integer.toString(options.dim()));
                metadata.put("ss_network_alpha", Integer.toString(options.dim()));
            }
            AdapterWriter.write(output, peft.isEmpty() ? StoredModule.stateDict(written) : peft, metadata, null);
            return new ToolReport(output, written.stream().map(StoredModule::result).toList(), skipped, List.of());
        }
    }

    /** The input's modules: a kohya/LyCORIS file through {@link AdapterFile}, a diffusers/PEFT one through {@link PeftFormat}. */
    static List<SourceModule> read(Path input, List<Skipped> skipped) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(input)) {
            if (PeftFormat.isPeft(file.names())) return PeftFormat.read(file.loadAll(), skipped);
        }
        AdapterFile file = AdapterFile.read(input);
        for (UnrecognizedModule u : file.unrecognized()) skipped.add(new Skipped(u.name(), u.reason()));
        return file.modules().stream().map(SourceModule::of).toList();
    }

    /** Fails before any work when a module's change or its new name needs the base model and none was given. */
    private static void checkInputsSuffice(List<SourceModule> sources, BaseCheckpoint base, KeyStyle keys) {
        if (base != null) return;
        for (SourceModule s : sources) {
            AdapterModule m = s.module();
            if (ModuleDelta.needsBase(m)) {
                throw new IllegalArgumentException("module " + m.name() + " (" + describe(m) + ") changes the weight as a "
                        + "function of the weight itself, so its ΔW needs the base model: pass --base CKPT");
            }
            if (keys != null && keys != s.style() && s.path() == null) {
                throw new IllegalArgumentException("renaming module " + m.name() + " to " + keys.id()
                        + " keys needs its module path, which its name does not record: pass --base CKPT");
            }
        }
    }

    private static StoredModule convertModule(SourceModule source, BaseCheckpoint base, ModuleNaming naming,
                                              ConvertOptions options, List<Skipped> skipped) throws IOException {
        AdapterModule m = source.module();
        if (m.algorithm() == Algorithm.NORM) {
            skipped.add(new Skipped(m.name(), "norm layers have no LoRA form"));
            return null;
        }
        BaseCheckpoint.Target target;
        ModuleDelta delta;
        try {
            target = base != null ? base.target(m) : BaseCheckpoint.Target.inferred(m, source.path());
            delta = ModuleDelta.of(m, target, 1.0);
        } catch (IllegalArgumentException e) {
            skipped.add(new Skipped(m.name(), Messages.firstLine(e.getMessage())));
            return null;
        }
        String path = source.path() != null ? source.path() : target.path();
        String name = outputName(source, path, style(source, options), naming);
        Tensor d = delta.weight();
        LowRank.Svd svd = LowRank.Svd.of(d);
        int rank = (int) Math.min(options.dim(), svd.s().size(0));
        LowRank.Factors factors = LowRank.truncate(svd, target.spec().weightShape(), rank).to(options.dtype());
        List<String> notes = delta.bias() == null ? List.of() : List.of("bias change dropped: LoRA has no bias");
        return StoredModule.lora(name, describe(m), d, factors, notes);
    }

    private static KeyStyle style(SourceModule source, ConvertOptions options) {
        return options.keys() == null ? source.style() : options.keys();
    }

    /** The module's name (kohya, lycoris) or path (PEFT) in the output; unchanged when the style is. */
    private static String outputName(SourceModule source, String path, KeyStyle style, ModuleNaming naming) {
        if (style == source.style()) return style == KeyStyle.PEFT ? source.path() : source.module().name();
        return switch (style) {
            case KOHYA -> naming.kohyaName(path);
            case LYCORIS -> naming.lycorisName(path);
            case PEFT -> naming.peftPath(path);
        };
    }

    private static String describe(AdapterModule m) {
        return m.algorithm().id() + (m.tensors().containsKey("dora_scale") ? "+dora" : "");
    }
}
