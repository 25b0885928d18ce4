package dev.lycoris4j.eval.prompts;

/**
 * How the reference spreads the images of one prompt file over its prompts (spec §1.4): prompt i (0-based)
 * gets {@code images / prompts} images, plus one if {@code i < images % prompts}; so when there are more
 * prompts than images, prompts from index {@code images} on get none. Images are numbered globally in
 * prompt order: prompt 0's first, then prompt 1's, and so on; image k is generated with seed {@code start + k}.
 */
public record ImageAllocation(int images, int prompts) {

    public ImageAllocation {
        if (images < 1) throw new IllegalArgumentException("images per prompt type must be at least 1, got " + images);
        if (prompts < 1) throw new IllegalArgumentException("a prompt list needs at least one prompt");
    }

    /** Images of prompt {@code prompt}. */
    public int count(int prompt) {
        checkPrompt(prompt);
        return images / prompts + (prompt < images % prompts ? 1 : 0);
    }

    /** Global index of prompt {@code prompt}'s first image. */
    public int first(int prompt) {
        checkPrompt(prompt);
        return prompt * (images / prompts) + Math.min(prompt, images % prompts);
    }

    /** The prompt of every image: element k is the prompt index of image k. */
    public int[] promptOfImage() {
        int[] out = new int[images];
        for (int p = 0; p < prompts; p++) {
            for (int k = first(p), end = k + count(p); k < end; k++) out[k] = p;
        }
        return out;
    }

    /**
     * The reference's file-name prefix width: {@code len(str(images))} digits, so with 100 images the
     * prefixes run 000 … 099 and sort in image order.
     */
    public int digits() {
        return Integer.toString(images).length();
    }

    private void checkPrompt(int prompt) {
        if (prompt < 0 || prompt >= prompts) {
            throw new IndexOutOfBoundsException("prompt " + prompt + " of " + prompts);
        }
    }
}
