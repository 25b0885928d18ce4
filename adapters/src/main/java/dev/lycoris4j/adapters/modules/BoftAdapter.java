package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.functional.Boft;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.Map;

/**
 * BOFT (spec §2.6): butterfly stages of block rotations of the output channels, blocks multiplied by R
 * (no transpose), the weight acted on along its output axis as in 3.3.0.
 *
 * <p><b>Bypass</b>: the reference module's bypass raises for realistic shapes; ours follows its
 * functional {@code bypass_forward_diff}, which transforms the layer output <em>including the bias</em>
 * (then the rescale), and adds the multiplier the functional lacks ({@code m·R + (1−m)·I}, as merging
 * does). It equals the merged forward exactly when the layer has no bias (spec §8 #5).
 */
public final class BoftAdapter extends OrthogonalAdapter {
    private final Boft.Geometry geometry;

    private BoftAdapter(String name, LayerSpec layer, Dropouts dropouts, Tensor blocks, Tensor rescale, Tensor alpha) {
        super(name, Algorithm.BOFT, layer, dropouts, blocks, rescale, alpha);
        this.geometry = new Boft.Geometry(Math.toIntExact(blocks.size(2)), Math.toIntExact(blocks.size(1)),
                Math.toIntExact(blocks.size(0)));
    }

    /**
     * A new adapter: geometry from {@code power2factorization(out, dim)} (fails with the sizes when impossible,
     * e.g. out 320 needs dim ≥ 10), generators zero, {@code rescale} ones when {@code rescaled}.
     */
    public static BoftAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        requireLinearOrConv(name, Algorithm.BOFT, layer);
        Boft.Geometry g;
        try {
            g = Boft.geometry(layer.weightShape()[0], c.dim());
        } catch (IllegalArgumentException e) {
            throw inconsistent(name, Algorithm.BOFT, e.getMessage());
        }
        Tensor blocks = parameter(Init.ZEROS, g.stages(), g.blockNum(), g.blockSize(), g.blockSize());
        return new BoftAdapter(name, layer, Dropouts.of(c), blocks, c.rescaled() ? newRescale(layer) : null,
                constraintBuffer(c.constraint()));
    }

    /**
     * Rebuilds from {@code oft_blocks} (stages, n, b, b): n·b = out, n a power of two, b even, and at most
     * log2(n) + 1 stages (the reference's weight generator may use fewer).
     */
    public static BoftAdapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm a = Algorithm.BOFT;
        requireLinearOrConv(name, a, layer);
        rejectUnknownKeys(name, a, t, KEYS);
        Tensor blocks = require(name, a, t, "oft_blocks");
        long out = layer.weightShape()[0];
        boolean ok = blocks.dim() == 4 && blocks.size(2) == blocks.size(3) && blocks.size(1) * blocks.size(2) == out;
        long n = ok ? blocks.size(1) : 0;
        ok = ok && blocks.size(2) % 2 == 0 && Long.bitCount(n) == 1 && blocks.size(0) >= 1
                && blocks.size(0) <= Long.numberOfTrailingZeros(n) + 1;
        if (!ok) {
            throw inconsistent(name, a, "oft_blocks has shape " + Tensors.shapeString(blocks) + " but must be (stages, n, b, b)"
                    + " with n·b = out = " + out + ", n a power of two, b even and 1 ≤ stages ≤ log2(n) + 1");
        }
        Tensor rescale = optional(t, "rescale");
        checkRescale(name, a, layer, rescale);
        Tensor alpha = optional(t, "alpha");
        return new BoftAdapter(name, layer, Dropouts.NONE, blocks, rescale, alpha != null ? alpha : constraintBuffer(0));
    }

    public Boft.Geometry geometry() { return geometry; }

    @Override Tensor mergedWeight(Tensor weight, Tensor rotations, Tensor rescale) {
        return Boft.mergedWeight(weight, rotations, rescale);
    }

    @Override Tensor transformOutput(Tensor y, long axis, Tensor rotations, Tensor rescale) {
        return Boft.rotateOutput(y, axis, rotations, rescale);
    }

    @Override void putGeometry(Map<String, Object> h) {
        h.put("block_size", geometry.blockSize());
        h.put("block_num", geometry.blockNum());
        h.put("stages", geometry.stages());
    }
}
