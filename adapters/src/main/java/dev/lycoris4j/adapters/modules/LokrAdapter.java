package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.functional.Lokr;
import dev.lycoris4j.adapters.functional.Tucker;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LoKr: {@code ΔW = scale · w1 ⊗ w2} (spec §2.4). w1 (a, c) is full or {@code w1_a·w1_b}; w2 (b, d[, k…]) is
 * full, {@code w2_a·w2_b}, or a Tucker product with {@code lokr_t2}. The bypass never forms the Kronecker product.
 */
public final class LokrAdapter extends DeltaAdapter {
    static final Set<String> KEYS = Set.of("lokr_w1", "lokr_w1_a", "lokr_w1_b", "lokr_w2", "lokr_w2_a", "lokr_w2_b",
            "lokr_t2", "alpha", "dora_scale");

    /** Any of w1 / (w1a, w1b), w2 / (w2a, w2b[, t2]) may be null, as the file has it. */
    private record Factors(Tensor w1, Tensor w1a, Tensor w1b, Tensor w2, Tensor w2a, Tensor w2b, Tensor t2) {}

    private final Factors f;
    private final long outK, inN;

    private LokrAdapter(String name, LayerSpec layer, Dropouts dropouts, Factors f, long outK, long inN,
                        Tensor alpha, double scale, Tensor scalar, Tensor dora) {
        super(name, Algorithm.LOKR, layer, dropouts, alpha, scale, scalar, dora);
        this.f = new Factors(keep(f.w1), keep(f.w1a), keep(f.w1b), keep(f.w2), keep(f.w2a), keep(f.w2b), keep(f.t2));
        this.outK = outK;
        this.inN = inN;
    }

    /**
     * Shapes from {@code factorization(in|out, factor)} ({@code unbalanced_factorization} swaps out's pair);
     * w1 split only with {@code decompose_both} and r &lt; max(a, c)/2; w2 full when {@code full_matrix} or
     * r ≥ max(b, d)/2, Tucker with {@code use_tucker} on a k×k conv. When both factors are full the scale is 1
     * and the saved alpha is r; unlike the reference, rs-LoRA does not turn that into √r, which a file could
     * not express (its loader reads scale 1). Init: w1 parts and w2_a/t2 kaiming, w2 or w2_b zero
     * (kaiming with {@code use_scalar}).
     */
    public static LokrAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        requireLinearOrConv(name, Algorithm.LOKR, layer);
        long r = c.dim();
        if (r <= 0) throw inconsistent(name, Algorithm.LOKR, "rank (dim) must be positive, got " + r);
        long[] w = layer.weightShape();
        long[] kernel = tail(w, 2);
        Lokr.Split in = Lokr.factorization(w[1], c.factor()), out = Lokr.factorization(w[0], c.factor());
        long a = c.unbalancedFactorization() ? out.large() : out.small();
        long b = c.unbalancedFactorization() ? out.small() : out.large();
        long cc = in.small(), d = in.large();
        boolean splitW1 = c.decomposeBoth() && r < Math.max(a, cc) / 2.0 && !c.fullMatrix();
        boolean fullW2 = c.fullMatrix() || r >= Math.max(b, d) / 2.0;
        boolean tucker = !fullW2 && c.useTucker() && layer instanceof LayerSpec.Conv conv && !conv.isPointwise();
        Init zeroOrKaiming = c.useScalar() ? Init.KAIMING : Init.ZEROS;
        Tensor w2 = null, w2a = null, w2b = null, t2 = null;
        if (fullW2) {
            w2 = parameter(zeroOrKaiming, concat(new long[] {b, d}, kernel));
        } else if (tucker) {
            t2 = parameter(Init.KAIMING, concat(new long[] {r, r}, kernel));
            w2a = parameter(Init.KAIMING, r, b);
            w2b = parameter(zeroOrKaiming, r, d);
        } else {
            w2a = parameter(Init.KAIMING, b, r);
            w2b = parameter(zeroOrKaiming, r, d * Tensors.numel(kernel));
        }
        Tensor w1 = splitW1 ? null : parameter(Init.KAIMING, a, cc);
        Tensor w1a = splitW1 ? parameter(Init.KAIMING, a, r) : null;
        Tensor w1b = splitW1 ? parameter(Init.KAIMING, r, cc) : null;
        boolean bothFull = !splitW1 && fullW2;
        Tensor alpha = bothFull ? alphaBuffer(r, r, false) : alphaBuffer(c.alpha(), r, c.rsLora());
        double scale = bothFull ? 1.0 : scale(c.alpha(), r, c.rsLora());
        Tensor scalar = c.useScalar() ? parameter(Init.ZEROS) : null;
        Tensor dora = c.weightDecompose()
                ? newDoraScale(name, Algorithm.LOKR, layer, baseWeight, c.wdOnOutput()) : null;
        return new LokrAdapter(name, layer, Dropouts.of(c), new Factors(w1, w1a, w1b, w2, w2a, w2b, t2), b, d,
                alpha, scale, scalar, dora);
    }

    /**
     * Rebuilds from a file. Factor shapes are read as they are, never re-derived from a guessed {@code factor},
     * so unbalanced and Tucker files load (the reference's loader fails on both, spec §2.4 bug 3). Scale:
     * alpha / r with r from {@code lokr_w1_b}, else {@code lokr_w2_b}; 1 when both factors are full.
     */
    public static LokrAdapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm al = Algorithm.LOKR;
        requireLinearOrConv(name, al, layer);
        rejectUnknownKeys(name, al, t, KEYS);
        Factors f = new Factors(optional(t, "lokr_w1"), optional(t, "lokr_w1_a"), optional(t, "lokr_w1_b"),
                optional(t, "lokr_w2"), optional(t, "lokr_w2_a"), optional(t, "lokr_w2_b"), optional(t, "lokr_t2"));
        long[] w = layer.weightShape();
        long[] kernel = tail(w, 2);
        long a, c, b, d, rank = -1;
        // w1: full (a, c) or (a, r)·(r, c)
        if ((f.w1 == null) == (f.w1a == null) || (f.w1a == null) != (f.w1b == null)) {
            throw inconsistent(name, al, "needs either lokr_w1 or both lokr_w1_a and lokr_w1_b");
        }
        if (f.w1 != null) {
            requireShape(name, al, "lokr_w1", f.w1, new long[] {-1, -1}, "a matrix");
            a = f.w1.size(0);
            c = f.w1.size(1);
        } else {
            rank = f.w1b.size(0);
            requireShape(name, al, "lokr_w1_b", f.w1b, new long[] {rank, -1}, "(rank, c)");
            requireShape(name, al, "lokr_w1_a", f.w1a, new long[] {-1, rank}, "(a, rank)");
            a = f.w1a.size(0);
            c = f.w1b.size(1);
        }
        // w2: full (b, d, *k), (b, r)·(r, d·k), or Tucker t2 (r, r, *k) with w2_a (r, b), w2_b (r, d)
        if ((f.w2 == null) == (f.w2a == null) || (f.w2a == null) != (f.w2b == null)
                || (f.t2 != null && f.w2 != null)) {
            throw inconsistent(name, al, "needs either lokr_w2 or both lokr_w2_a and lokr_w2_b (with lokr_t2 only then)");
        }
        if (f.w2 != null) {
            requireShape(name, al, "lokr_w2", f.w2, concat(new long[] {-1, -1}, kernel), "(b, d, *kernel)");
            b = f.w2.size(0);
            d = f.w2.size(1);
        } else {
            long r2 = f.w2b.size(0);
            if (rank < 0) rank = r2;
            if (f.t2 != null) {
                if (kernel.length == 0) throw inconsistent(name, al, "lokr_t2 is only valid on a conv layer");
                requireShape(name, al, "lokr_t2", f.t2, concat(new long[] {r2, r2}, kernel), "(rank, rank, *kernel)");
                requireShape(name, al, "lokr_w2_a", f.w2a, new long[] {r2, -1}, "with Tucker (rank, b)");
                requireShape(name, al, "lokr_w2_b", f.w2b, new long[] {r2, -1}, "with Tucker (rank, d)");
                b = f.w2a.size(1);
                d = f.w2b.size(1);
            } else {
                requireShape(name, al, "lokr_w2_a", f.w2a, new long[] {-1, r2}, "(b, rank)");
                requireShape(name, al, "lokr_w2_b", f.w2b, new long[] {r2, -1}, "(rank, d·kernel)");
                b = f.w2a.size(0);
                long area = Tensors.numel(kernel);
                if (f.w2b.size(1) % area != 0) {
                    throw inconsistent(name, al, "lokr_w2_b has " + f.w2b.size(1) + " columns, not a multiple of the kernel area " + area);
                }
                d = f.w2b.size(1) / area;
            }
        }
        if (a * b != w[0] || c * d != w[1]) {
            throw inconsistent(name, al, "factors give a (" + a + "·" + b + ", " + c + "·" + d + ") weight but the layer "
                    + layer + " has (" + w[0] + ", " + w[1] + ")");
        }
        Tensor alpha = optional(t, "alpha");
        double scale = rank < 0 ? 1.0 : loadedScale(name, al, alpha, rank);
        Tensor savedAlpha = alpha != null ? alpha : Tensors.scalar(Math.max(rank, 1)).to(torch.ScalarType.Float);
        return new LokrAdapter(name, layer, Dropouts.NONE, f, b, d, savedAlpha, scale, null, optional(t, "dora_scale"));
    }

    /** The small factor w1 as one matrix (a, c). */
    public Tensor w1() {
        return f.w1 != null ? f.w1 : f.w1a.matmul(f.w1b);
    }

    /** The big factor w2 as one tensor (b, d[, k…]). Small next to ΔW, so forming it is cheap. */
    public Tensor w2() {
        if (f.w2 != null) return f.w2;
        if (f.t2 != null) return Tucker.rebuild(f.t2, f.w2a, f.w2b);
        return f.w2a.matmul(f.w2b).reshape(concat(new long[] {outK, inN}, tail(layer().weightShape(), 2)));
    }

    @Override protected Tensor delta(double scale) {
        return Lokr.deltaWeight(w1(), w2(), scale, layer().weightShape());
    }

    /** Consecutive linear ops through w1 and w2 (never the Kronecker product); rank dropout drops output channels. */
    @Override protected Tensor bypassDelta(Tensor x, double scale) {
        return outputChannelMasked(Lokr.bypass(x, w1(), w2(), layer()).mul(new Scalar(scale)));
    }

    @Override protected List<Tensor> factors() {
        List<Tensor> p = new ArrayList<>();
        for (Tensor t : new Tensor[] {f.w1, f.w1a, f.w1b, f.w2, f.w2a, f.w2b, f.t2}) if (t != null) p.add(t);
        return p;
    }

    @Override protected torch.ScalarType dtype() {
        return (f.w1 != null ? f.w1 : f.w1a).scalar_type();
    }

    /** The reference's order: alpha[, dora_scale], w1 or w1_a, w1_b (scalar folded into the first), w2 or w2_a, w2_b[, t2]. */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("alpha", alpha());
        if (hasDora()) sd.put("dora_scale", doraScale());
        if (f.w1 != null) {
            sd.put("lokr_w1", folded(f.w1));
        } else {
            sd.put("lokr_w1_a", folded(f.w1a));
            sd.put("lokr_w1_b", f.w1b.detach());
        }
        if (f.w2 != null) {
            sd.put("lokr_w2", f.w2.detach());
        } else {
            sd.put("lokr_w2_a", f.w2a.detach());
            sd.put("lokr_w2_b", f.w2b.detach());
            if (f.t2 != null) sd.put("lokr_t2", f.t2.detach());
        }
        return sd;
    }

    @Override protected void putHyperParameters(Map<String, Object> h) {
        Tensor w1 = w1();
        h.put("w1", new long[] {w1.size(0), w1.size(1)});
        h.put("w2", new long[] {outK, inN});
        h.put("w1_decomposed", f.w1 == null);
        h.put("w2_decomposed", f.w2 == null);
        h.put("tucker", f.t2 != null);
        if (f.w1b != null) h.put("rank", f.w1b.size(0));
        else if (f.w2b != null) h.put("rank", f.w2b.size(0));
    }
}
