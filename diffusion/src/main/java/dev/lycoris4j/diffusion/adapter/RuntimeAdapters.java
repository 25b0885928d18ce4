package dev.lycoris4j.diffusion.adapter;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterChain;
import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.merge.NameResolver;
import dev.lycoris4j.adapters.merge.Resolution;
import dev.lycoris4j.core.nn.AdaptableLayer;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.diffusion.model.StableDiffusion;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies adapter files to a loaded model, each with its own scale, merged or in bypass mode. Module
 * names are resolved against the model's own layer paths (component-qualified: {@code unet.…},
 * {@code text_encoder.…}), so kohya SD1 names (diffusers paths) and SDXL names (SGM paths) both land.
 * Adapters stack on a layer like the reference's wrappers: merged changes add.
 */
public final class RuntimeAdapters {
    private RuntimeAdapters() {}

    public static AppliedAdapter apply(StableDiffusion model, Path file, double scale, boolean bypass) {
        AdapterFile adapterFile;
        try {
            adapterFile = AdapterFile.read(file);
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Map<String, Module> components = model.components();
        List<String> tensorNames = new ArrayList<>();
        for (var c : components.entrySet()) {
            for (String k : c.getValue().stateDict().keySet()) tensorNames.add(c.getKey() + "." + k);
        }
        NameResolver resolver = NameResolver.ofTensorNames(tensorNames);
        List<AppliedAdapter.Match> matched = new ArrayList<>();
        List<Resolution.Unresolved> unresolved = new ArrayList<>();
        List<AppliedAdapter.Failed> failed = new ArrayList<>();
        for (AdapterModule m : adapterFile.modules()) {
            switch (resolver.resolve(m.name())) {
                case Resolution.Unresolved u -> unresolved.add(u);
                case Resolution.Resolved r -> {
                    String path = r.modulePath();
                    int dot = path.indexOf('.');
                    Module target = components.get(path.substring(0, dot)).find(path.substring(dot + 1));
                    if (!(target instanceof AdaptableLayer layer)) {
                        failed.add(new AppliedAdapter.Failed(m.name(), path, "not an adaptable layer"));
                        continue;
                    }
                    try {
                        Adapter a = m.load(layer.spec());
                        a.setTraining(false);
                        AdapterChain chain = AdapterChain.attach(layer);
                        chain.setBypass(bypass);
                        chain.add(a, scale);
                        matched.add(new AppliedAdapter.Match(m.name(), path, a));
                    } catch (IllegalArgumentException e) {
                        failed.add(new AppliedAdapter.Failed(m.name(), path, e.getMessage()));
                    }
                }
            }
        }
        return new AppliedAdapter(file, scale, bypass, matched, unresolved, failed, adapterFile.unrecognized());
    }
}
