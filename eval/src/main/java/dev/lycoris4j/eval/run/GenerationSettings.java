package dev.lycoris4j.eval.run;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.diffusion.pipeline.GenerationRequest;
import dev.lycoris4j.diffusion.scheduler.Schedulers;

import java.util.Locale;

/**
 * How evaluation images are generated. The defaults are LyCORIS-evaluation's {@code sampling_config.toml}
 * (spec §1.4): DDIM, 25 steps, CFG 7, 512×512, empty negative prompt, first seed 1000.
 *
 * @param dtype  compute dtype; null for the device's default (fp32 on the CPU, fp16 on CUDA)
 * @param bypass run adapters through their factors instead of merged weights
 */
public record GenerationSettings(String sampler, int steps, double cfg, int width, int height, long seed,
                                 String negativePrompt, int clipSkip, String device, DType dtype, boolean bypass) {

    public static final GenerationSettings REFERENCE =
            new GenerationSettings("ddim", 25, 7, 512, 512, 1000, "", 1, "cpu", null, false);

    public GenerationSettings {
        if (!Schedulers.NAMES.contains(sampler)) {
            throw new IllegalArgumentException("unknown sampler '" + sampler + "': use one of " + String.join(", ", Schedulers.NAMES));
        }
        // GenerationRequest checks the rest; one probe here makes a bad setting fail before any model loads.
        new GenerationRequest("", negativePrompt, steps, cfg, seed, width, height, 1, clipSkip, sampler);
    }

    /** The request for one image. */
    public GenerationRequest request(String prompt, long imageSeed) {
        return new GenerationRequest(prompt, negativePrompt, steps, cfg, imageSeed, width, height, 1, clipSkip, sampler);
    }

    /**
     * The PNG {@code parameters} text of an image (A1111's infotext layout). It records everything that
     * determines the pixels, so a resumed run regenerates an image whose recorded text differs.
     *
     * @param adapter the adapter file name and scale ("name.safetensors:1"), or null for the base model
     */
    public String infotext(String prompt, long imageSeed, String model, String adapter) {
        StringBuilder b = new StringBuilder(prompt);
        if (!negativePrompt.isEmpty()) b.append("\nNegative prompt: ").append(negativePrompt);
        b.append(String.format(Locale.ROOT, "\nSteps: %d, Sampler: %s, CFG scale: %s, Seed: %d, Size: %dx%d, Model: %s",
                steps, sampler, cfg, imageSeed, width, height, model));
        if (clipSkip > 1) b.append(", Clip skip: ").append(clipSkip);
        if (adapter != null) b.append(", Adapter: ").append(adapter).append(bypass ? " (bypass)" : "");
        return b.append(", Version: lycoris4j").toString();
    }
}
