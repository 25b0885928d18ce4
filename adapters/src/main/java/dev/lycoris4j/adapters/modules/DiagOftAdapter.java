package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.functional.DiagOft;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.Map;

/**
 * Diag-OFT (spec §2.5): the output channels in contiguous blocks, block k rotated by {@code R_kᵀ}.
 *
 * <p><b>Bypass</b>: not the merged forward in general. It follows the reference: the layer output
 * <em>including its bias</em> is rotated (and rescaled), so it equals the merged forward only for a
 * layer without bias (spec §8 #5). With {@code rescaled} the reference's bypass crashes; ours applies
 * the rescale after the rotation, as the merged weight does.
 */
public final class DiagOftAdapter extends OrthogonalAdapter {
    private final DiagOft.Blocks geometry;

    private DiagOftAdapter(String name, LayerSpec layer, Dropouts dropouts, Tensor blocks, Tensor rescale,
                           Tensor alpha) {
        super(name, Algorithm.DIAG_OFT, layer, dropouts, blocks, rescale, alpha);
        this.geometry = new DiagOft.Blocks(Math.toIntExact(blocks.size(1)), Math.toIntExact(blocks.size(0)));
    }

    /**
     * A new adapter: block size from {@code factorization(out, dim)} (the smaller factor), generators zero so
     * R = I at the start, {@code rescale} ones when {@code rescaled}, saved {@code alpha} = the raw constraint.
     */
    public static DiagOftAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        requireLinearOrConv(name, Algorithm.DIAG_OFT, layer);
        if (c.dim() <= 0) throw inconsistent(name, Algorithm.DIAG_OFT, "dim must be positive, got " + c.dim());
        DiagOft.Blocks g = DiagOft.blocks(layer.weightShape()[0], c.dim());
        Tensor blocks = parameter(Init.ZEROS, g.blockNum(), g.blockSize(), g.blockSize());
        return new DiagOftAdapter(name, layer, Dropouts.of(c), blocks, c.rescaled() ? newRescale(layer) : null,
                constraintBuffer(c.constraint()));
    }

    /** Rebuilds from {@code oft_blocks} (n, b, b) with n·b = out, {@code alpha} (the constraint; 0 when absent), {@code rescale}. */
    public static DiagOftAdapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm a = Algorithm.DIAG_OFT;
        requireLinearOrConv(name, a, layer);
        rejectUnknownKeys(name, a, t, KEYS);
        Tensor blocks = require(name, a, t, "oft_blocks");
        long out = layer.weightShape()[0];
        if (blocks.dim() != 3 || blocks.size(1) != blocks.size(2) || blocks.size(0) * blocks.size(1) != out) {
            throw inconsistent(name, a, "oft_blocks has shape " + Tensors.shapeString(blocks)
                    + " but must be (n, b, b) with n·b = out = " + out);
        }
        Tensor rescale = optional(t, "rescale");
        checkRescale(name, a, layer, rescale);
        Tensor alpha = optional(t, "alpha");
        return new DiagOftAdapter(name, layer, Dropouts.NONE, blocks, rescale,
                alpha != null ? alpha : constraintBuffer(0));
    }

    public DiagOft.Blocks geometry() { return geometry; }

    @Override Tensor mergedWeight(Tensor weight, Tensor rotations, Tensor rescale) {
        return DiagOft.mergedWeight(weight, rotations, rescale);
    }

    @Override Tensor transformOutput(Tensor y, long axis, Tensor rotations, Tensor rescale) {
        return DiagOft.rotateOutput(y, axis, rotations, rescale);
    }

    @Override void putGeometry(Map<String, Object> h) {
        h.put("block_size", geometry.blockSize());
        h.put("block_num", geometry.blockNum());
    }
}
