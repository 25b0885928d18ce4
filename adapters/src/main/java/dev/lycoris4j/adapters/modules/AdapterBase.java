package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What every adapter module shares (spec §1): its name, layer and algorithm, the training switch, the three
 * dropouts, the alpha/scale rule, the initialisers, and the checks that turn a malformed file into an
 * exception naming the module. Subclasses hold the algorithm's tensors and call its pure math.
 */
public abstract class AdapterBase implements Adapter {
    private final String name;
    private final Algorithm algorithm;
    private final LayerSpec layer;
    private final Dropouts dropouts;
    private boolean training;

    /**
     * The reference's three dropouts, active only while training (spec §1).
     *
     * @param dropout   {@code nn.Dropout} on the bypass output
     * @param rank      probability of dropping a rank channel (or a ΔW row, per algorithm)
     * @param rankScale divide the rank keep-mask by its mean so the expectation is kept
     * @param module    probability of skipping the adapter for a whole call
     */
    public record Dropouts(double dropout, double rank, boolean rankScale, double module) {
        public static final Dropouts NONE = new Dropouts(0, 0, false, 0);

        public Dropouts {
            for (double p : new double[] {dropout, rank, module}) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("dropout probabilities must lie in [0, 1], got dropout "
                            + dropout + ", rank_dropout " + rank + ", module_dropout " + module);
                }
            }
        }

        public static Dropouts of(AdapterConfig c) {
            return new Dropouts(c.dropout(), c.rankDropout(), c.rankDropoutScale(), c.moduleDropout());
        }
    }

    protected AdapterBase(String name, Algorithm algorithm, LayerSpec layer, Dropouts dropouts) {
        this.name = name;
        this.algorithm = algorithm;
        this.layer = layer;
        this.dropouts = dropouts;
    }

    @Override public final String name() { return name; }

    @Override public final Algorithm algorithm() { return algorithm; }

    @Override public final LayerSpec layer() { return layer; }

    public final Dropouts dropouts() { return dropouts; }

    @Override public void setTraining(boolean training) { this.training = training; }

    public final boolean isTraining() { return training; }

    /** Hyper-parameters every adapter reports; subclasses add theirs after these. */
    protected Map<String, Object> baseHyperParameters() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("algorithm", algorithm.id());
        h.put("layer", layer.toString());
        if (dropouts.dropout() > 0) h.put("dropout", dropouts.dropout());
        if (dropouts.rank() > 0) {
            h.put("rank_dropout", dropouts.rank());
            h.put("rank_dropout_scale", dropouts.rankScale());
        }
        if (dropouts.module() > 0) h.put("module_dropout", dropouts.module());
        return h;
    }

    // ---------------------------------------------------------------- dropouts (training only, libtorch RNG)

    /** Module dropout: true when this call should skip the adapter (probability p, training only). */
    protected final boolean skipThisCall() {
        return training && dropouts.module() > 0 && torch.rand(1).item_double() < dropouts.module();
    }

    /**
     * Rank dropout's keep-mask over {@code n} channels, or null when inactive: entry 1 with probability 1 − p
     * (the reference's {@code rand > p}), divided by its mean with {@code rank_dropout_scale}. An all-zero mask
     * stays zero instead of the reference's 0/0 = NaN.
     */
    protected final Tensor rankKeepMask(long n, torch.ScalarType dtype) {
        if (!training || dropouts.rank() <= 0) return null;
        Tensor keep = torch.rand(n).gt(new Scalar(dropouts.rank())).to(dtype);
        if (dropouts.rankScale()) keep = keep.div(keep.mean().clamp_min(new Scalar(1.0 / n)));
        return keep;
    }

    /** {@code nn.Dropout(dropout)} during training; identity otherwise. */
    protected final Tensor outputDropout(Tensor t) {
        return training && dropouts.dropout() > 0 ? torch.dropout(t, dropouts.dropout(), true) : t;
    }

    // ---------------------------------------------------------------- alpha and scale (spec §1)

    /** The reference's rule: an absent (NaN) or zero alpha means "equal to the rank". */
    public static double effectiveAlpha(double alpha, double rank) {
        return Double.isNaN(alpha) || alpha == 0 ? rank : alpha;
    }

    /** {@code scale = alpha / r_factor} with {@code r_factor = √r} under rs-LoRA, else r. */
    public static double scale(double alpha, long rank, boolean rsLora) {
        return effectiveAlpha(alpha, rank) / rankFactor(rank, rsLora);
    }

    /**
     * The saved {@code alpha} buffer: {@code alpha · r / r_factor} as an F32 0-d tensor, so a reader that
     * computes {@code alpha_saved / r} gets the training scale, rs-LoRA included.
     */
    public static Tensor alphaBuffer(double alpha, long rank, boolean rsLora) {
        return keep(Tensors.scalar(effectiveAlpha(alpha, rank) * rank / rankFactor(rank, rsLora)).to(DType.F32.scalarType()));
    }

    private static double rankFactor(long rank, boolean rsLora) {
        return rsLora ? Math.sqrt(rank) : rank;
    }

    /** A file's alpha: any numeric dtype, 0-d or shape [1]; must be finite. */
    public static double readAlpha(String module, Algorithm algorithm, Tensor alpha) {
        if (alpha.numel() != 1 || alpha.dim() > 1) {
            throw inconsistent(module, algorithm, "alpha must be a scalar (0-d or shape [1]), got shape "
                    + Tensors.shapeString(alpha));
        }
        double v = alpha.to(torch.ScalarType.Double).item_double();
        if (!Double.isFinite(v)) throw inconsistent(module, algorithm, "alpha is " + v);
        return v;
    }

    // ---------------------------------------------------------------- loading helpers

    /** The exception for a module whose tensors do not fit together or do not fit its layer. */
    public static IllegalArgumentException inconsistent(String module, Algorithm algorithm, String problem) {
        return new IllegalArgumentException("module " + module + " (" + algorithm.id() + "): " + problem);
    }

    /** A tensor the format needs, with an error naming the module and the missing key when absent. */
    public static Tensor require(String module, Algorithm algorithm, Map<String, Tensor> tensors, String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw inconsistent(module, algorithm, "missing '" + key + "' (module keys: " + tensors.keySet() + ")");
        }
        return keep(t);
    }

    /** An optional tensor, or null. */
    public static Tensor optional(Map<String, Tensor> tensors, String key) {
        return keep(tensors.get(key));
    }

    /** Rejects keys the algorithm does not know, so a mistyped or foreign key is not silently dropped. */
    public static void rejectUnknownKeys(String module, Algorithm algorithm, Map<String, Tensor> tensors,
                                         Set<String> known) {
        for (String key : tensors.keySet()) {
            if (!known.contains(key)) {
                throw inconsistent(module, algorithm, "unexpected key '" + key + "'; this format has " + known);
            }
        }
    }

    /** Fails unless {@code t} has exactly {@code expected} (−1 entries match any size). */
    public static void requireShape(String module, Algorithm algorithm, String key, Tensor t, long[] expected,
                                    String meaning) {
        long[] s = Tensors.shape(t);
        boolean ok = s.length == expected.length;
        for (int i = 0; ok && i < s.length; i++) ok = expected[i] < 0 || expected[i] == s[i];
        if (!ok) {
            throw inconsistent(module, algorithm, key + " has shape " + Arrays.toString(s) + " but must be "
                    + meaning + " " + Arrays.toString(expected).replace("-1", "*"));
        }
    }

    /** Linear and (ungrouped) ConvNd only: the algorithms in this package adapt weight matrices and kernels. */
    public static void requireLinearOrConv(String module, Algorithm algorithm, LayerSpec layer) {
        boolean ok = layer instanceof LayerSpec.Linear
                || layer instanceof LayerSpec.Conv c && c.groups() == 1;
        if (!ok) throw inconsistent(module, algorithm, "supports Linear and ungrouped Conv layers, not " + layer);
    }

    // ---------------------------------------------------------------- shapes

    /** {@code n} ones: the singleton axes of a 1×1 kernel. */
    protected static long[] ones(int n) {
        long[] o = new long[n];
        Arrays.fill(o, 1);
        return o;
    }

    /** {@code a[from:]}. */
    protected static long[] tail(long[] a, int from) {
        return Arrays.copyOfRange(a, from, a.length);
    }

    protected static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---------------------------------------------------------------- tensors owned by an adapter

    /** Lets a tensor the adapter holds outlive any step scope it was created in. */
    protected static Tensor keep(Tensor t) {
        return t == null ? null : StepScope.keep(t);
    }

    /** A trainable F32 leaf of {@code shape} filled by {@code init} without recording autograd history. */
    protected static Tensor parameter(Init init, long... shape) {
        Tensor t = torch.empty(shape);
        try (NoGrad ignored = new NoGrad()) {
            switch (init) {
                case Init.Zeros z -> t.zero_();
                case Init.Normal n -> t.normal_(0, n.std(), new GeneratorOptional());
                case Init.KaimingUniform k -> t.uniform_(-k.bound(shape), k.bound(shape), new GeneratorOptional());
            }
        }
        t.requires_grad_(true);
        return keep(t);
    }

    /** The reference's initialisers. */
    public sealed interface Init {
        Init ZEROS = new Zeros();
        Init KAIMING = new KaimingUniform();

        record Zeros() implements Init {}

        record Normal(double std) implements Init {}

        /** {@code kaiming_uniform_(a=√5)}: U(±gain·√3/√fan_in), gain = √(2/(1+a²)), fan_in = size(1)·∏kernel. */
        record KaimingUniform() implements Init {
            double bound(long[] shape) {
                long fanIn = 1;
                for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
                double gain = Math.sqrt(2.0 / (1 + 5.0));
                return Math.sqrt(3.0) * (gain / Math.sqrt(fanIn));
            }
        }

        static Init normal(double std) {
            return new Normal(std);
        }
    }
}
