package dev.lycoris4j.eval.encoders;

import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.Embedding;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Patch embedding, class token and position table ({@code class_embedding},
 * {@code patch_embedding}, {@code position_embedding.weight}: CLIP's names, which the other layouts
 * are renamed to). The position table is read directly, not looked up by ids.
 */
final class VitEmbeddings extends Module {
    private final VitConfig config;
    private final ConvNd patchEmbedding;
    private final Embedding positionEmbedding;

    VitEmbeddings(VitConfig c, Placement p) {
        this.config = c;
        parameter("class_embedding", p.empty(c.width()));
        patchEmbedding = register("patch_embedding",
                new ConvNd(2, 3, c.width(), c.patchSize(), c.patchSize(), 0, c.patchBias(), p));
        positionEmbedding = register("position_embedding", new Embedding(c.positions(), c.width(), p));
    }

    @Override public String typeName() { return "VisionEmbeddings"; }

    /** [B, 3, H, W] pixels → [B, 1 + gh·gw, D] tokens; a remainder of H or W beyond whole patches is dropped. */
    Tensor forward(Tensor pixels) {
        if (pixels.dim() != 4 || pixels.size(1) != 3) {
            throw new IllegalArgumentException("expected pixels [batch, 3, height, width], got "
                    + java.util.Arrays.toString(pixels.sizes().vec().get()));
        }
        Tensor patches = patchEmbedding.forward(pixels);
        long b = patches.size(0), d = patches.size(1), gh = patches.size(2), gw = patches.size(3);
        Tensor tokens = patches.reshape(b, d, gh * gw).transpose(1, 2);
        Tensor cls = tensor("class_embedding").view(1, 1, d).expand(b, 1, d);
        Tensor x = torch.cat(new TensorVector(cls, tokens), 1);
        boolean squareInput = pixels.size(2) == pixels.size(3);
        return x.add(positions(gh, gw, squareInput).unsqueeze(0));
    }

    /**
     * The position table for a gh × gw grid, [1 + gh·gw, D]. Unchanged when the token count matches
     * and the input is square (the HF and torch.hub condition, on pixel sizes). Otherwise, with
     * resampling enabled, the grid part is resampled as DINOv2 (hub with interpolate_offset 0.1, HF
     * until 4.39) and DINO v1 do: torch bicubic (A = −0.75, align_corners false) with scale factors
     * (g + 0.1) / M, not an output size; those factors set the source coordinates
     * (dst + 0.5)·M/(g + 0.1) − 0.5, and the output size floor(M·(g + 0.1)/M) = g. The 0.1 keeps
     * floor() from landing one short after rounding.
     */
    Tensor positions(long gh, long gw, boolean squareInput) {
        Tensor table = positionEmbedding.weight();
        long m = config.gridSize();
        if (gh * gw == m * m && squareInput) return table;
        if (!config.resamplePositions()) {
            throw new IllegalArgumentException("this vision model takes " + config.imageSize() + "x"
                    + config.imageSize() + " inputs (a " + m + "x" + m + " patch grid), got a " + gh + "x" + gw + " grid");
        }
        long d = table.size(1);
        Tensor grid = table.narrow(0, 1, m * m).reshape(1, m, m, d).permute(0, 3, 1, 2);
        double scaleH = (gh + 0.1) / m;
        double scaleW = (gw + 0.1) / m;
        // What F.interpolate(scale_factor=...) dispatches to: output size int(M * scale), and the
        // scales themselves (not size / M) passed on for the source coordinates.
        long[] size = {(long) (m * scaleH), (long) (m * scaleW)};
        Tensor resampled = torch.upsample_bicubic2d(grid, size, false, new DoubleOptional(scaleH), new DoubleOptional(scaleW));
        if (resampled.size(2) != gh || resampled.size(3) != gw) {
            throw new IllegalStateException("position resampling gave a " + resampled.size(2) + "x"
                    + resampled.size(3) + " grid for " + gh + "x" + gw);
        }
        Tensor patch = resampled.permute(0, 2, 3, 1).reshape(gh * gw, d);
        return torch.cat(new TensorVector(table.narrow(0, 0, 1), patch), 0);
    }
}
