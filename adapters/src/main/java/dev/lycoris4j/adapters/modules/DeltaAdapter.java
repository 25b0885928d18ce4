package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.functional.Dora;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The adapters whose effect is a weight change ΔW = scale·scalar·f(factors): LoRA/LoCon, LoHa and LoKr.
 * Shared here: alpha and scale, the {@code use_scalar} scalar, DoRA ({@code dora_scale}), the merged weight
 * {@code W + m·ΔW}, and the bypass's multiplier, dropout and dtype handling.
 *
 * <p>Merge semantics are the forward's: ΔW carries alpha/r once. The reference's
 * {@code get_merged_weight}/{@code merge_to} apply it twice for LoHa/LoKr (spec §8 #1); that is a bug and is
 * not reproduced, so a merged checkpoint computes what the adapter computed.
 */
public abstract class DeltaAdapter extends AdapterBase {
    private final Tensor alpha;
    private final double scale;
    private final Tensor scalar;
    private final Tensor doraScale;
    private final boolean doraOnOutput;

    /**
     * @param alpha     the {@code alpha} tensor as it is saved (alpha·r/r_factor for new adapters; as read for loaded ones)
     * @param scale     alpha / r_factor, the factor ΔW carries
     * @param scalar    the trainable {@code use_scalar} scalar, or null (files fold it in, spec §1)
     * @param doraScale DoRA's magnitude, or null without DoRA; its shape tells the convention
     */
    protected DeltaAdapter(String name, Algorithm algorithm, LayerSpec layer, Dropouts dropouts, Tensor alpha,
                           double scale, Tensor scalar, Tensor doraScale) {
        super(name, algorithm, layer, dropouts);
        requireLinearOrConv(name, algorithm, layer);
        this.alpha = keep(alpha);
        this.scale = scale;
        this.scalar = keep(scalar);
        this.doraScale = keep(doraScale);
        this.doraOnOutput = doraScale == null || doraOnOutput(name, algorithm, layer, doraScale);
    }

    /** ΔW shaped like the layer weight, carrying {@code scale} (no scalar, multiplier or dropout). */
    protected abstract Tensor delta(double scale);

    /**
     * The bypass contribution {@code op(x, ΔW)} carrying {@code scale} (no scalar or multiplier), computed
     * through the factors where the algorithm allows, with rank dropout where the algorithm applies it.
     * {@code x} is already in the adapter's dtype.
     */
    protected abstract Tensor bypassDelta(Tensor x, double scale);

    /** The algorithm's trainable factor tensors, in state-dict order. */
    protected abstract List<Tensor> factors();

    /** The dtype the adapter computes in: its factors' dtype. */
    protected abstract torch.ScalarType dtype();

    public final double scale() { return scale; }

    public final Tensor alpha() { return alpha; }

    public final boolean hasDora() { return doraScale != null; }

    /** ΔW at multiplier 1 as the forward applies it: alpha/r and the scalar included, no dropout. */
    public final Tensor deltaWeight() {
        return withScalar(delta(scale));
    }

    @Override
    public final WeightPair mergedWeights(Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return new WeightPair(weight, bias);
        return new WeightPair(mergedWeight(weight, multiplier), bias);
    }

    /**
     * {@code W + m·ΔW}, or with DoRA {@code (W + ΔW) ⊙ s} where the multiplier only interpolates the magnitude
     * (spec §2.2, the reference's forward). Rank dropout, when training, drops whole rows of ΔW.
     */
    private Tensor mergedWeight(Tensor weight, double multiplier) {
        Tensor delta = rowMasked(deltaWeight());
        if (doraScale == null) return weight.add(delta.mul(new Scalar(multiplier))).to(weight.scalar_type());
        return Dora.apply(weight.add(delta), doraScale, doraOnOutput, multiplier).to(weight.scalar_type());
    }

    @Override public final boolean hasBypass() { return true; }

    /**
     * {@code inner + m·Δ(x)}, equal to the merged forward. DoRA is not linear in ΔW, so for a DoRA module the
     * bypass adds the merged weight's effect {@code op(x, W_new − W)}, materialising W_new; the reference
     * instead ignores DoRA in bypass (spec §8 #4) and its DoRA modules skip {@code dropout}, as here.
     */
    @Override
    public final Tensor bypassForward(Tensor x, Tensor inner, Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return inner;
        if (doraScale != null) {
            Tensor change = mergedWeight(weight, multiplier).sub(weight);
            return inner.add(layer().apply(x, change, null));
        }
        Tensor delta = withScalar(bypassDelta(x.to(dtype()), scale)).mul(new Scalar(multiplier));
        return inner.add(outputDropout(delta).to(inner.scalar_type()));
    }

    private Tensor withScalar(Tensor t) {
        return scalar == null ? t : t.mul(scalar);
    }

    /** Rank dropout on the rows (output channels) of a ΔW; identity outside training. */
    protected final Tensor rowMasked(Tensor delta) {
        Tensor mask = rankKeepMask(delta.size(0), delta.scalar_type());
        if (mask == null) return delta;
        long[] s = new long[(int) delta.dim()];
        Arrays.fill(s, 1);
        s[0] = delta.size(0);
        return delta.mul(mask.reshape(s));
    }

    /** Rank dropout on the output channels of a bypass output, i.e. on the rows of the ΔW it applied. */
    protected final Tensor outputChannelMasked(Tensor y) {
        long out = layer().weightShape()[0];
        Tensor mask = rankKeepMask(out, y.scalar_type());
        if (mask == null) return y;
        if (layer() instanceof LayerSpec.Conv conv) {
            long[] s = new long[1 + conv.dims()];
            Arrays.fill(s, 1);
            s[0] = out;
            mask = mask.reshape(s);
        }
        return y.mul(mask);
    }

    /** A factor as saved: multiplied by the scalar, which files fold into one tensor (spec §1). */
    protected final Tensor folded(Tensor factor) {
        if (scalar == null) return factor.detach();
        try (NoGrad ignored = new NoGrad()) {
            return factor.mul(scalar).detach();
        }
    }

    /** The {@code dora_scale} entry for a state dict, or null. */
    protected final Tensor doraScale() {
        return doraScale == null ? null : doraScale.detach();
    }

    @Override
    public final List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>(factors());
        if (scalar != null) p.add(scalar);
        if (doraScale != null) p.add(doraScale);
        return p;
    }

    /** Common hyper-parameters, then the algorithm's own ({@link #putHyperParameters}). */
    @Override
    public final Map<String, Object> hyperParameters() {
        Map<String, Object> h = baseHyperParameters();
        putHyperParameters(h);
        h.put("alpha", readAlpha(name(), algorithm(), alpha));
        h.put("scale", scale);
        if (scalar != null) h.put("use_scalar", true);
        if (doraScale != null) h.put("dora", doraOnOutput ? "per_output_row" : "per_input_column");
        return h;
    }

    protected abstract void putHyperParameters(Map<String, Object> h);

    /** DoRA magnitude for a new adapter (spec §2.2), from the layer's original weight. */
    protected static Tensor newDoraScale(String name, Algorithm algorithm, LayerSpec layer, Tensor baseWeight,
                                         boolean onOutput) {
        if (baseWeight == null) throw inconsistent(name, algorithm, "DoRA needs the layer's original weight");
        requireShape(name, algorithm, "the base weight", baseWeight, layer.weightShape(), "the layer's weight shape");
        Tensor m;
        try (NoGrad ignored = new NoGrad()) {
            m = Dora.magnitude(baseWeight.detach(), onOutput);
        }
        m.requires_grad_(true);
        return m;
    }

    /** The convention a {@code dora_scale} follows, read from its shape (spec §2.2). */
    private static boolean doraOnOutput(String name, Algorithm algorithm, LayerSpec layer, Tensor doraScale) {
        long[] w = layer.weightShape();
        long[] s = Tensors.shape(doraScale);
        if (Arrays.equals(s, Dora.magnitudeShape(w, true))) return true;
        if (Arrays.equals(s, Dora.magnitudeShape(w, false))) return false;
        throw inconsistent(name, algorithm, "dora_scale has shape " + Arrays.toString(s) + " but must be "
                + Arrays.toString(Dora.magnitudeShape(w, true)) + " (per output row) or "
                + Arrays.toString(Dora.magnitudeShape(w, false)) + " (per input column)");
    }

    /** Scale read from a file: {@code alpha / r}, an absent or zero alpha meaning r (scale 1). */
    protected static double loadedScale(String name, Algorithm algorithm, Tensor alpha, long rank) {
        if (alpha == null) return 1.0;
        return effectiveAlpha(readAlpha(name, algorithm, alpha), rank) / rank;
    }
}
