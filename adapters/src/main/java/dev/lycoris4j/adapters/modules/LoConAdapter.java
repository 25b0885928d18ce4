package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.functional.Lora;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** LoRA on Linear layers, LoCon on convs, optionally with a Tucker core (spec §2.1). */
public final class LoConAdapter extends DeltaAdapter {
    static final Set<String> KEYS = Set.of("lora_up.weight", "lora_down.weight", "lora_mid.weight", "alpha", "dora_scale",
            // The extractor's optional sparse residual (spec §5.1): kept in files, ignored by every LyCORIS loader.
            "bias_indices", "bias_values", "bias_size");

    private final Tensor up;
    private final Tensor down;
    private final Tensor mid;

    private LoConAdapter(String name, LayerSpec layer, Dropouts dropouts, Tensor up, Tensor down, Tensor mid,
                         Tensor alpha, double scale, Tensor scalar, Tensor doraScale) {
        super(name, Algorithm.LORA, layer, dropouts, alpha, scale, scalar, doraScale);
        this.up = keep(up);
        this.down = keep(down);
        this.mid = keep(mid);
    }

    /**
     * A new adapter initialised as the reference does: down (and mid) kaiming-uniform(a=√5), up zero — or
     * kaiming too with {@code use_scalar}, whose scalar starts at 0 — so ΔW starts at exactly 0.
     */
    public static LoConAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        requireLinearOrConv(name, Algorithm.LORA, layer);
        long r = c.dim();
        if (r <= 0) throw inconsistent(name, Algorithm.LORA, "rank (dim) must be positive, got " + r);
        long[] w = layer.weightShape();
        long[] ones = ones(w.length - 2);
        boolean tucker = c.useTucker() && layer instanceof LayerSpec.Conv conv && !conv.isPointwise();
        long[] downShape = tucker ? concat(new long[] {r, w[1]}, ones) : concat(new long[] {r}, tail(w, 1));
        Tensor down = parameter(Init.KAIMING, downShape);
        Tensor up = parameter(c.useScalar() ? Init.KAIMING : Init.ZEROS, concat(new long[] {w[0], r}, ones));
        Tensor mid = tucker ? parameter(Init.KAIMING, concat(new long[] {r, r}, tail(w, 2))) : null;
        Tensor scalar = c.useScalar() ? parameter(Init.ZEROS) : null;
        Tensor dora = c.weightDecompose()
                ? newDoraScale(name, Algorithm.LORA, layer, baseWeight, c.wdOnOutput()) : null;
        return new LoConAdapter(name, layer, Dropouts.of(c), up, down, mid,
                alphaBuffer(c.alpha(), r, c.rsLora()), scale(c.alpha(), r, c.rsLora()), scalar, dora);
    }

    /**
     * Rebuilds from a file's tensors: rank from {@code lora_down}, Tucker iff {@code lora_mid}, DoRA and its
     * convention from {@code dora_scale}'s shape (on-input files load too, unlike the reference, spec §2.2).
     * A conv's {@code lora_up} may lack its 1×1 axes (DyLoRA writes it 2-D, spec §2.9).
     */
    public static LoConAdapter load(String name, LayerSpec layer, Map<String, Tensor> t) {
        Algorithm a = Algorithm.LORA;
        requireLinearOrConv(name, a, layer);
        rejectUnknownKeys(name, a, t, KEYS);
        Tensor up = require(name, a, t, "lora_up.weight");
        Tensor down = require(name, a, t, "lora_down.weight");
        Tensor mid = optional(t, "lora_mid.weight");
        long[] w = layer.weightShape();
        long r = down.size(0);
        long[] ones = ones(w.length - 2);
        if (mid != null) {
            if (ones.length == 0) throw inconsistent(name, a, "lora_mid.weight is only valid on a conv layer");
            requireShape(name, a, "lora_down.weight", down, concat(new long[] {r, w[1]}, ones), "(rank, in, 1…)");
            requireShape(name, a, "lora_mid.weight", mid, concat(new long[] {r, r}, tail(w, 2)), "(rank, rank, *kernel)");
        } else {
            requireShape(name, a, "lora_down.weight", down, concat(new long[] {r}, tail(w, 1)), "(rank, in, *kernel)");
        }
        if (up.dim() != 2) requireShape(name, a, "lora_up.weight", up, concat(new long[] {w[0], r}, ones), "(out, rank, 1…)");
        else requireShape(name, a, "lora_up.weight", up, new long[] {w[0], r}, "(out, rank)");
        Tensor alpha = optional(t, "alpha");
        double scale = loadedScale(name, a, alpha, r);
        Tensor savedAlpha = alpha != null ? alpha : Tensors.scalar(r).to(torch.ScalarType.Float);
        return new LoConAdapter(name, layer, Dropouts.NONE, up, down, mid, savedAlpha, scale, null,
                optional(t, "dora_scale"));
    }

    public long rank() { return down.size(0); }

    public boolean tucker() { return mid != null; }

    @Override protected Tensor delta(double scale) {
        return Lora.deltaWeight(up, down, mid, scale, layer().weightShape());
    }

    /** Two matmuls or convs (three with Tucker); rank dropout acts on the rank channels, as in the reference. */
    @Override protected Tensor bypassDelta(Tensor x, double scale) {
        Tensor mask = rankKeepMask(rank(), dtype());
        return Lora.bypass(x, up, down, mid, layer(), mask).mul(new Scalar(scale));
    }

    @Override protected List<Tensor> factors() {
        return mid == null ? List.of(down, up) : List.of(down, mid, up);
    }

    @Override protected torch.ScalarType dtype() { return down.scalar_type(); }

    /** The reference's order: [dora_scale,] alpha, lora_up (scalar folded in), lora_down[, lora_mid]. */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        if (hasDora()) sd.put("dora_scale", doraScale());
        sd.put("alpha", alpha());
        sd.put("lora_up.weight", folded(up));
        sd.put("lora_down.weight", down.detach());
        if (mid != null) sd.put("lora_mid.weight", mid.detach());
        return sd;
    }

    @Override protected void putHyperParameters(Map<String, Object> h) {
        h.put("rank", rank());
        h.put("tucker", tucker());
    }
}
