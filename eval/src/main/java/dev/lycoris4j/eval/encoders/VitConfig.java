package dev.lycoris4j.eval.encoders;

/**
 * Hyper-parameters of the pre-norm vision transformers the evaluation uses (CLIP's vision tower,
 * DINOv2, DINO v1): they share the block math and differ only in these switches.
 *
 * @param width          token width D
 * @param layers         number of blocks
 * @param heads          attention heads (D / heads = head width)
 * @param mlpWidth       hidden width of the block MLP
 * @param patchSize      patch conv kernel = stride
 * @param gridSize       side of the square patch grid the position table was trained for
 * @param layerNormEps   eps of every LayerNorm (CLIP 1e-5, DINO 1e-6)
 * @param activation     MLP activation by config name ("gelu", "quick_gelu")
 * @param patchBias      whether the patch conv has a bias (DINO yes, CLIP no)
 * @param qkvBias        whether the q/k/v projections have biases
 * @param preNorm        CLIP's LayerNorm on the embeddings before the first block
 * @param layerScale     DINOv2's per-channel scales on both residual branches
 * @param resamplePositions whether other input sizes get the position table resampled (DINO's
 *                       bicubic "+0.1" form); without it the input must be exactly the trained size
 */
public record VitConfig(int width, int layers, int heads, int mlpWidth, int patchSize, int gridSize,
                        double layerNormEps, String activation, boolean patchBias, boolean qkvBias,
                        boolean preNorm, boolean layerScale, boolean resamplePositions) {

    public VitConfig {
        positive("width", width);
        positive("layers", layers);
        positive("heads", heads);
        positive("MLP width", mlpWidth);
        positive("patch size", patchSize);
        positive("grid size", gridSize);
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " is not divisible by " + heads + " heads");
        }
        if (!activation.equals("gelu") && !activation.equals("quick_gelu")) {
            throw new IllegalArgumentException("unsupported vision MLP activation '" + activation + "'");
        }
    }

    public int headWidth() {
        return width / heads;
    }

    /** Input side length the position table was trained for. */
    public int imageSize() {
        return gridSize * patchSize;
    }

    /** Tokens the position table holds: the class token plus the grid. */
    public int positions() {
        return 1 + gridSize * gridSize;
    }

    private static void positive(String what, int value) {
        if (value <= 0) throw new IllegalArgumentException("vision transformer " + what + " must be positive, got " + value);
    }
}
