package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.WeightPair;
import dev.lycoris4j.adapters.functional.Dylora;
import dev.lycoris4j.core.nn.LayerSpec;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DyLoRA (spec §2.9): a LoRA of rank r trained in blocks of {@code block_size}. While training each call
 * draws a block t and uses blocks 0…t with scale alpha/(t+1), gradients reaching only block t. Outside
 * training it is deterministic: the full rank, as the reference's {@code get_weight(r)} gives it (scale
 * alpha/(count+1), not alpha/r — spec §8 #9); the reference draws a random rank even in eval.
 *
 * <p>Files: plain LoRA keys ({@code alpha}, {@code lora_up.weight} (out, r) — 2-D even for a conv —,
 * {@code lora_down.weight}), so a saved DyLoRA reloads as a LoRA with scale alpha/r, exactly as the
 * reference's loader reads it (its conv case crashes; ours loads, see {@link LoConAdapter#load}).
 *
 * <p><b>Bypass</b>: the merged forward at the same cut ({@code inner + m·scale_t·up(down(x))}); the
 * reference's bypass is broken (spec §2.9).
 */
public final class DyloraAdapter extends AdapterBase {
    private final Tensor up;
    private final Tensor down;
    private final Tensor alpha;
    private final double alphaValue;
    private final int blockSize;

    private DyloraAdapter(String name, LayerSpec layer, Dropouts dropouts, Tensor up, Tensor down, Tensor alpha,
                          int blockSize) {
        super(name, Algorithm.DYLORA, layer, dropouts);
        this.up = keep(up);
        this.down = keep(down);
        this.alpha = keep(alpha);
        this.alphaValue = effectiveAlpha(readAlpha(name, Algorithm.DYLORA, alpha), down.size(0));
        this.blockSize = blockSize;
    }

    /**
     * A new adapter: down kaiming-uniform(a=√5), up zero; {@code dim} must be a multiple of {@code block_size}.
     * Alpha is saved raw: I64 r when alpha is 0 (meaning r), else F32.
     */
    public static DyloraAdapter create(String name, LayerSpec layer, AdapterConfig c, Tensor baseWeight) {
        Algorithm a = Algorithm.DYLORA;
        requireLinearOrConv(name, a, layer);
        int r = c.dim();
        int bs = c.blockSize();
        if (r <= 0 || bs <= 0 || r % bs != 0) {
            throw inconsistent(name, a, "lora_dim " + r + " must be a positive multiple of block_size " + bs);
        }
        long[] w = layer.weightShape();
        Tensor down = parameter(Init.KAIMING, concat(new long[] {r}, tail(w, 1)));
        Tensor up = parameter(Init.ZEROS, w[0], r);
        Tensor alpha = c.alpha() == 0 || Double.isNaN(c.alpha())
                ? Tensors.scalar(r).to(torch.ScalarType.Long) : Tensors.scalar(c.alpha()).to(torch.ScalarType.Float);
        return new DyloraAdapter(name, layer, Dropouts.of(c), up, down, alpha, bs);
    }

    /**
     * A DyLoRA from LoRA-keyed tensors when the block size is known from elsewhere (files do not record it;
     * {@link dev.lycoris4j.adapters.AdapterFormats} reads them as LoRA).
     */
    public static DyloraAdapter fromLoraTensors(String name, LayerSpec layer, Map<String, Tensor> t, int blockSize) {
        Algorithm a = Algorithm.DYLORA;
        requireLinearOrConv(name, a, layer);
        rejectUnknownKeys(name, a, t, java.util.Set.of("alpha", "lora_up.weight", "lora_down.weight"));
        Tensor up = require(name, a, t, "lora_up.weight");
        Tensor down = require(name, a, t, "lora_down.weight");
        long[] w = layer.weightShape();
        long r = down.size(0);
        requireShape(name, a, "lora_down.weight", down, concat(new long[] {r}, tail(w, 1)), "(rank, in, *kernel)");
        requireShape(name, a, "lora_up.weight", up, new long[] {w[0], r}, "(out, rank)");
        if (blockSize <= 0 || r % blockSize != 0) {
            throw inconsistent(name, a, "rank " + r + " is not a multiple of block_size " + blockSize);
        }
        Tensor alpha = optional(t, "alpha");
        return new DyloraAdapter(name, layer, Dropouts.NONE, up, down,
                alpha != null ? alpha : Tensors.scalar(r).to(torch.ScalarType.Long), blockSize);
    }

    public int rank() { return Math.toIntExact(down.size(0)); }

    public int blockSize() { return blockSize; }

    /** The reference's {@code get_weight(rank)}: ΔW (at multiplier 1) of the rank's cut. */
    public Tensor deltaWeightAtRank(int rank) {
        return Dylora.deltaWeight(up, down, Dylora.forRank(rank, blockSize, rank(), alphaValue), 0, layer().weightShape());
    }

    /** The cut this call uses: a random block while training, the full rank otherwise. */
    private Dylora.Cut cut() {
        if (!isTraining()) return Dylora.forRank(rank(), blockSize, rank(), alphaValue);
        int count = rank() / blockSize;
        int t = Math.min(count - 1, (int) (torch.rand(1).item_double() * count));
        return Dylora.forBlock(t, blockSize, alphaValue);
    }

    /** Rows before the drawn block are detached while training: only block t learns. */
    private int frozenRows(Dylora.Cut cut) {
        return isTraining() ? cut.rows() - blockSize : 0;
    }

    @Override
    public WeightPair mergedWeights(Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return new WeightPair(weight, bias);
        Dylora.Cut cut = cut();
        Tensor d = Dylora.deltaWeight(up, down, cut, frozenRows(cut), layer().weightShape());
        return new WeightPair(weight.add(d.mul(new Scalar(multiplier)).to(weight.scalar_type())), bias);
    }

    @Override public boolean hasBypass() { return true; }

    @Override
    public Tensor bypassForward(Tensor x, Tensor inner, Tensor weight, Tensor bias, double multiplier) {
        if (skipThisCall()) return inner;
        Dylora.Cut cut = cut();
        Tensor d = Dylora.bypass(x.to(down.scalar_type()), up, down, cut, frozenRows(cut), layer())
                .mul(new Scalar(multiplier));
        return inner.add(outputDropout(d).to(inner.scalar_type()));
    }

    /** As the reference writes it: alpha (raw), lora_up.weight (out, r), lora_down.weight (r, in, *k). */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("alpha", alpha);
        sd.put("lora_up.weight", up.detach());
        sd.put("lora_down.weight", down.detach());
        return sd;
    }

    @Override public List<Tensor> parameters() { return List.of(down, up); }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> h = baseHyperParameters();
        h.put("rank", rank());
        h.put("block_size", blockSize);
        h.put("alpha", alphaValue);
        h.put("scale_full_rank", Dylora.forRank(rank(), blockSize, rank(), alphaValue).scale());
        return h;
    }
}
