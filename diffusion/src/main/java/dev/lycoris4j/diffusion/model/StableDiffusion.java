package dev.lycoris4j.diffusion.model;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.diffusion.scheduler.SchedulerConfig;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.tokenizer.ClipTokenizer;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.diffusion.vae.AutoencoderKL;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loaded Stable Diffusion model: tokenizers, text encoders, UNet, VAE and the scheduler config.
 * SDXL has a second tokenizer/encoder pair; SD1.x/SD2.x leave them null.
 */
public record StableDiffusion(
        Kind kind,
        ClipTokenizer tokenizer,
        ClipTextModel textEncoder,
        ClipTokenizer tokenizer2,
        ClipTextModel textEncoder2,
        UNet2DConditionModel unet,
        AutoencoderKL vae,
        SchedulerConfig scheduler) {

    /** The architecture family, which decides how prompts are encoded. */
    public enum Kind { SD1, SD2, SDXL }

    /**
     * The components by the names diffusers folders and adapter prefixes use:
     * {@code text_encoder}, {@code text_encoder_2}, {@code unet}, {@code vae}.
     */
    public Map<String, Module> components() {
        Map<String, Module> m = new LinkedHashMap<>();
        m.put("text_encoder", textEncoder);
        if (textEncoder2 != null) m.put("text_encoder_2", textEncoder2);
        m.put("unet", unet);
        m.put("vae", vae);
        return m;
    }
}
