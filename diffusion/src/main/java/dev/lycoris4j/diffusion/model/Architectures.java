package dev.lycoris4j.diffusion.model;

import dev.lycoris4j.diffusion.text.ClipTextConfig;
import dev.lycoris4j.diffusion.unet.UNetConfig;
import dev.lycoris4j.diffusion.vae.VaeConfig;

/**
 * The published configs of the full-size models (spec sd-architecture §a), for building them on the
 * meta device (size estimates) or with random weights (benchmarks) without any download.
 */
public final class Architectures {
    private Architectures() {}

    private static final String[] SD_DOWN = {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"};
    private static final String[] SD_UP = {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"};

    /** SD 1.x UNet: 8 heads everywhere, conv projections, CLIP-L context. */
    public static UNetConfig sd15Unet() {
        return new UNetConfig(4, 4, new int[] {320, 640, 1280, 1280}, SD_DOWN.clone(), SD_UP.clone(), 2,
                new int[] {1, 1, 1, 1}, new int[] {8, 8, 8, 8}, 768, 32, 1e-5, false, false, true, 0, null, 0, 0,
                "epsilon", 64);
    }

    /** SD 2.1 (768-v) UNet: 64-channel heads, linear projections, OpenCLIP-H context, upcast attention. */
    public static UNetConfig sd21Unet() {
        return new UNetConfig(4, 4, new int[] {320, 640, 1280, 1280}, SD_DOWN.clone(), SD_UP.clone(), 2,
                new int[] {1, 1, 1, 1}, new int[] {5, 10, 20, 20}, 1024, 32, 1e-5, true, true, true, 0, null, 0, 0,
                "v_prediction", 96);
    }

    /** SDXL base 1.0 UNet: three levels, transformer depths 1/2/10, text_time add-embedding. */
    public static UNetConfig sdxlUnet() {
        return new UNetConfig(4, 4, new int[] {320, 640, 1280},
                new String[] {"DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"},
                new String[] {"CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"}, 2,
                new int[] {1, 2, 10}, new int[] {5, 10, 20}, 2048, 32, 1e-5, true, false, true, 0, "text_time", 256, 2816,
                "epsilon", 128);
    }

    public static VaeConfig sdVae() {
        return new VaeConfig(3, 3, 4, new int[] {128, 256, 512, 512}, 2, 32, 0.18215, true);
    }

    public static VaeConfig sdxlVae() {
        return new VaeConfig(3, 3, 4, new int[] {128, 256, 512, 512}, 2, 32, 0.13025, true);
    }

    /** CLIP ViT-L/14 text (SD 1.x, SDXL's first encoder). */
    public static ClipTextConfig clipL() {
        return new ClipTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5, 768, 2, false);
    }

    /** OpenCLIP ViT-H/14 text as SD 2.x uses it: the last of 24 blocks dropped (penultimate-layer conditioning). */
    public static ClipTextConfig openClipH() {
        return new ClipTextConfig(49408, 1024, 4096, 23, 16, 77, "gelu", 1e-5, 512, 2, false);
    }

    /** OpenCLIP ViT-bigG/14 text with projection (SDXL's second encoder). */
    public static ClipTextConfig openClipBigG() {
        return new ClipTextConfig(49408, 1280, 5120, 32, 20, 77, "gelu", 1e-5, 1280, 2, true);
    }
}
