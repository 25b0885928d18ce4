package dev.lycoris4j.diffusion.pipeline;

/**
 * One txt2img job. Image k of {@code count} uses seed {@code seed + k}, as the paper's evaluation does.
 *
 * @param clipSkip  A1111's convention: 1 uses the last text-encoder layer, 2 the penultimate (SD1/SD2 only)
 * @param sampler   ddim, euler, dpmpp-2m or dpmpp-2m-karras
 */
public record GenerationRequest(String prompt, String negativePrompt, int steps, double guidanceScale, long seed,
                                int width, int height, int count, int clipSkip, String sampler) {
    public GenerationRequest {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        if (width % 8 != 0 || height % 8 != 0 || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("width and height must be positive multiples of 8, got " + width + "×" + height);
        }
        if (count < 1) throw new IllegalArgumentException("count must be at least 1, got " + count);
        if (clipSkip < 1) throw new IllegalArgumentException("clip skip must be at least 1, got " + clipSkip);
        if (negativePrompt == null) negativePrompt = "";
    }

    public GenerationRequest withSeed(long s) {
        return new GenerationRequest(prompt, negativePrompt, steps, guidanceScale, s, width, height, 1, clipSkip, sampler);
    }
}
