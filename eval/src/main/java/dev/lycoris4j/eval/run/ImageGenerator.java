package dev.lycoris4j.eval.run;

import dev.lycoris4j.adapters.AdapterChain;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.AdaptableLayer;
import dev.lycoris4j.core.nn.Devices;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.diffusion.adapter.AppliedAdapter;
import dev.lycoris4j.diffusion.adapter.RuntimeAdapters;
import dev.lycoris4j.diffusion.image.PngWriter;
import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.pipeline.GenerationRequest;
import dev.lycoris4j.diffusion.pipeline.TextToImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Generates the images of an evaluation that are not on disk yet. The model is loaded on first need, so a
 * run whose images all exist (scoring only, or a finished run started again) never loads it. Each call
 * applies one adapter (or none, for the base model), generates, and removes the adapter again.
 */
public final class ImageGenerator {
    /** One image to have: its file, prompt and seed. */
    public record Planned(Path file, String prompt, long seed) {}

    /** An adapter file and its scale; null where the base model generates. */
    public record AdapterUse(Path file, double scale) {
        String label() {
            return file.getFileName() + ":" + (scale == Math.rint(scale) ? Long.toString((long) scale) : Double.toString(scale));
        }
    }

    private final Path model;
    private final Path tokenizer;
    private final GenerationSettings settings;
    private final Consumer<String> log;
    private StableDiffusion sd;

    /** @param tokenizer tokenizer for a single-file model, or null */
    public ImageGenerator(Path model, Path tokenizer, GenerationSettings settings, Consumer<String> log) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.log = log;
    }

    /**
     * Makes every planned image current: those missing or stale are generated with {@code adapter} (null:
     * the base model). Returns the files generated.
     */
    public List<Path> ensure(List<Planned> images, AdapterUse adapter) {
        String adapterLabel = adapter == null ? null : adapter.label();
        List<Planned> todo = new ArrayList<>();
        for (Planned p : images) {
            if (!StoredImage.isCurrent(p.file(), infotext(p, adapterLabel), settings.width(), settings.height())) todo.add(p);
        }
        if (todo.isEmpty()) return List.of();
        StableDiffusion model = model();
        AppliedAdapter applied = adapter == null ? null : apply(model, adapter);
        try {
            TextToImage pipeline = new TextToImage(model);
            for (int i = 0; i < todo.size(); i++) {
                Planned p = todo.get(i);
                GenerationRequest request = settings.request(p.prompt(), p.seed());
                // One scope per image: its latents, conditioning and pixels are freed once the PNG is written.
                try (StepScope scope = new StepScope()) {
                    write(p.file(), pipeline.generate(request, step -> {}), infotext(p, adapterLabel));
                }
                log.accept("[" + (i + 1) + "/" + todo.size() + "] " + p.file() + " (seed " + p.seed() + ")");
            }
        } finally {
            if (applied != null) remove(model, applied);
        }
        return todo.stream().map(Planned::file).toList();
    }

    private String infotext(Planned p, String adapterLabel) {
        return settings.infotext(p.prompt(), p.seed(), model.getFileName().toString(), adapterLabel);
    }

    private StableDiffusion model() {
        if (sd == null) {
            String device = Devices.canonical(settings.device());
            DType dtype = settings.dtype() != null ? settings.dtype() : device.equals("cpu") ? DType.F32 : DType.F16;
            sd = SdLoader.load(model, SdLoader.Options.defaults().withTokenizer(tokenizer)
                    .withPlacement(new Placement(device, dtype)).withProgress(log));
        }
        return sd;
    }

    private AppliedAdapter apply(StableDiffusion model, AdapterUse adapter) {
        AppliedAdapter applied = RuntimeAdapters.apply(model, adapter.file(), adapter.scale(), settings.bypass());
        log.accept(applied.report());
        if (applied.matched().isEmpty()) {
            throw new IllegalArgumentException(adapter.file() + ": no module of the adapter matches a layer of " + this.model);
        }
        return applied;
    }

    /** Takes the adapter's modules off their layers; the model is the base model again. */
    private static void remove(StableDiffusion model, AppliedAdapter applied) {
        Map<String, Module> components = model.components();
        for (AppliedAdapter.Match m : applied.matched()) {
            int dot = m.layerPath().indexOf('.');
            AdaptableLayer layer = (AdaptableLayer) components.get(m.layerPath().substring(0, dot))
                    .find(m.layerPath().substring(dot + 1));
            AdapterChain.attach(layer).remove(m.adapter());
        }
    }

    private static void write(Path file, TextToImage.Result result, String infotext) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            PngWriter.write(file, result.width(), result.height(), result.rgb(), Map.of("parameters", infotext));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
