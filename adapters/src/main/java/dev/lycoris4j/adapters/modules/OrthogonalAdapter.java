package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.functional.Channels;
import dev.lycoris4j.adapters.functional.DiagOft;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Diag-OFT and BOFT share (spec §2.5, §2.6): trainable {@code oft_blocks} turned into rotations by
 * the Cayley transform, the {@code constraint} (saved raw as {@code alpha}, applied as
 * {@code constraint · out}), the multiplier {@code m·R + (1−m)·I}, the optional per-row {@code rescale},
 * and one orthogonal transform T of the output channels that subclasses define.
 *
 * <p>Merged: {@code W' = rescale ⊙ (T·W)}, bias untouched. Bypass (reference semantics): the output so
 * far, <em>bias included</em>, is transformed, {@code y' = rescale ⊙ (T·y)}; this equals the merged
 * forward exactly when the layer has no bias (spec §8 #5).
 */
abstract class OrthogonalAdapter extends AdapterBase {
    static final Set<String> KEYS = Set.of("oft_blocks", "alpha", "rescale");

    private final Tensor blocks;
    private final Tensor rescale;
    private final Tensor alpha;
    private final double constraint;

    /**
     * @param blocks  the trainable generators, (…, b, b)
     * @param rescale per-output-row factors (out, 1, …), or null
     * @param alpha   the saved {@code alpha}: the raw constraint, I64 when integral as the reference stores it
     */
    OrthogonalAdapter(String name, Algorithm algorithm, LayerSpec layer, Dropouts dropouts, Tensor blocks,
                      Tensor rescale, Tensor alpha) {
        super(name, algorithm, layer, dropouts);
        requireLinearOrConv(name, algorithm, layer);
        this.blocks = keep(blocks);
        this.rescale = keep(rescale);
        this.alpha = keep(alpha);
        this.constraint = readAlpha(name, algorithm, alpha);
        if (constraint < 0) throw inconsistent(name, algorithm, "constraint (alpha) must be ≥ 0, got " + constraint);
    }

    /** {@code rescale ⊙ (T·W)} (rescale may be null), given the rotations at the multiplier. */
    abstract Tensor mergedWeight(Tensor weight, Tensor rotations, Tensor rescale);

    /** {@code rescale ⊙ (T·y)} on the channel axis {@code axis} of a layer output. */
    abstract Tensor transformOutput(Tensor y, long axis, Tensor rotations, Tensor rescale);

    /** Geometry entries for {@link #hyperParameters}. */
    abstract void putGeometry(Map<String, Object> h);

    /** The saved {@code alpha} for a new adapter: the raw constraint, I64 when it is integral (the default 0). */
    static Tensor constraintBuffer(double constraint) {
        Tensor t = Tensors.scalar(constraint);
        return keep(constraint == Math.rint(constraint) ? t.to(torch.ScalarType.Long) : t.to(torch.ScalarType.Float));
    }

    /** {@code rescale} for a new adapter: ones of shape (out, 1, …), trainable. */
    static Tensor newRescale(LayerSpec layer) {
        long[] w = layer.weightShape();
        long[] shape = ones(w.length);
        shape[0] = w[0];
        Tensor t = parameter(Init.ZEROS, shape);
        try (var ignored = new dev.lycoris4j.core.nn.NoGrad()) {
            t.fill_(new org.bytedeco.pytorch.Scalar(1.0));
        }
        return t;
    }

    /** Checks a file's {@code rescale}: (out, 1, …) like the layer weight. */
    static void checkRescale(String name, Algorithm a, LayerSpec layer, Tensor rescale) {
        if (rescale == null) return;
        long[] w = layer.weightShape();
        long[] shape = ones(w.length);
        shape[0] = w[0];
        requireShape(name, a, "rescale", rescale, shape, "(out, 1, …)");
    }

    public final double constraint() { return constraint; }

    public final boolean rescaled() { return rescale != null; }

    /**
     * The rotations at {@code multiplier}: Cayley with the norm limit {@code constraint · out}; while
     * training, rank dropout acts on the rotation entries as the reference's {@code nn.Dropout} does.
     */
    public final Tensor rotations(double multiplier) {
        Tensor r = DiagOft.cayley(blocks, constraint * layer().weightShape()[0]);
        if (isTraining() && dropouts().rank() > 0) r = torch.dropout(r, dropouts().rank(), true);
        return DiagOft.atMultiplier(r, multiplier);
    }

    @Override
    public final WeightPair mergedWeights(Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return new WeightPair(weight, bias);
        return new WeightPair(mergedWeight(weight, rotations(multiplier), rescale), bias);
    }

    @Override public final boolean hasBypass() { return true; }

    /** Transforms the output so far, bias included, as the reference's bypass does (see the class comment). */
    @Override
    public final Tensor bypassForward(Tensor x, Tensor inner, Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return inner;
        return transformOutput(inner, Channels.outputAxis(layer()), rotations(multiplier), rescale);
    }

    /** {@code oft_blocks}, {@code rescale} (if any), {@code alpha}: parameters before buffers, as PyTorch orders a state dict. */
    @Override
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("oft_blocks", blocks.detach());
        if (rescale != null) sd.put("rescale", rescale.detach());
        sd.put("alpha", alpha);
        return sd;
    }

    @Override
    public final List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>();
        p.add(blocks);
        if (rescale != null) p.add(rescale);
        return p;
    }

    @Override
    public final Map<String, Object> hyperParameters() {
        Map<String, Object> h = baseHyperParameters();
        putGeometry(h);
        h.put("constraint", constraint);
        h.put("rescaled", rescale != null);
        return h;
    }
}
