package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.functional.Full;
import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Full / native fine-tuning (spec §2.10): the weight and bias differences themselves, {@code diff} and
 * {@code diff_b}; merged {@code W + m·diff}, {@code b + m·diff_b}. The reference's forward after
 * {@code apply_to} is broken (spec §8 #10); its merge, which this follows, works.
 *
 * <p><b>Bypass</b>: none, as in the reference ({@link #hasBypass()} is false and {@link #bypassForward}
 * throws).
 *
 * <p>A created adapter cannot know whether its layer has a bias (the creator is given the weight only), so
 * it always holds a {@code diff_b}. On a bias-less layer that tensor is never used, so it gets no gradient
 * and stays zero, and an all-zero {@code diff_b} of a created adapter is left out of the state dict, which
 * keeps files loadable by the reference (whose loader adds {@code diff_b} to the layer's bias).
 */
public final class FullAdapter extends AdapterBase {
    static final Set<String> KEYS = Set.of("diff", "diff_b");

    private final Tensor diff;
    private final Tensor diffB;
    private final boolean diffBFromFile;

    private FullAdapter(String name, LayerSpec layer, Dropouts dropouts, Tensor diff, Tensor diffB, boolean diffBFromFile) {
        super(name, Algorithm.FULL, layer, dropouts);
        this.diff = keep(diff);
        this.diffB = keep(diffB);
        this.diffBFromFile = diffBFromFile;
    }

    /** A new adapter: zero differences of the weight's shape and of (out,) for the bias. */
    public static FullAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        requireLinearOrConv(name, Algorithm.FULL, layer);
        long[] w = layer.weightShape();
        return new FullAdapter(name, layer, Dropouts.of(c), parameter(Init.ZEROS, w), parameter(Init.ZEROS, w[0]), false);
    }

    /** Rebuilds from {@code diff} (the weight's shape) and the optional {@code diff_b} (out,). */
    public static FullAdapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm a = Algorithm.FULL;
        requireLinearOrConv(name, a, layer);
        rejectUnknownKeys(name, a, t, KEYS);
        long[] w = layer.weightShape();
        Tensor diff = require(name, a, t, "diff");
        requireShape(name, a, "diff", diff, w, "the layer weight's shape");
        Tensor diffB = optional(t, "diff_b");
        if (diffB != null) requireShape(name, a, "diff_b", diffB, new long[] {w[0]}, "(out)");
        return new FullAdapter(name, layer, Dropouts.NONE, diff, diffB, diffB != null);
    }

    /**
     * {@code W + m·diff} (rank dropout, while training, drops whole rows of diff as the reference does), and
     * {@code b + m·diff_b}. A layer without bias takes {@code m·diff_b} as its bias when the file brought one
     * (the reference's {@code merge_to} likewise creates the bias), and stays bias-less otherwise.
     */
    @Override
    public WeightPair mergedWeights(Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return new WeightPair(weight, bias);
        Tensor mask = rankKeepMask(diff.size(0), diff.scalar_type());
        Tensor d = mask == null ? diff : diff.mul(mask.reshape(rowShape()));
        Tensor db = diffB == null || mask == null ? diffB : diffB.mul(mask);
        Tensor b;
        if (bias != null) b = Full.merged(bias, db, multiplier);
        else b = diffBFromFile ? db.mul(new Scalar(multiplier)) : null;
        return new WeightPair(Full.merged(weight, d, multiplier), b);
    }

    private long[] rowShape() {
        long[] s = ones((int) diff.dim());
        s[0] = diff.size(0);
        return s;
    }

    @Override public boolean hasBypass() { return false; }

    @Override
    public Tensor bypassForward(Tensor x, Tensor inner, Tensor weight, Tensor bias, double multiplier) {
        throw new UnsupportedOperationException("module " + name()
                + " (full): Full fine-tuning has no bypass forward (the reference rejects bypass mode too); use the merged forward");
    }

    /** {@code diff}, {@code diff_b} (see the class comment for when diff_b is left out). */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("diff", diff.detach());
        if (diffB != null && (diffBFromFile || diffB.abs().max().item_double() != 0)) sd.put("diff_b", diffB.detach());
        return sd;
    }

    @Override
    public List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>();
        p.add(diff);
        if (diffB != null) p.add(diffB);
        return p;
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> h = baseHyperParameters();
        h.put("bias_diff", diffB != null);
        return h;
    }
}
