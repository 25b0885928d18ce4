package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with 8-bit blockwise-quantised moments: bitsandbytes' {@code AdamW8bit} ({@code bitsandbytes.optim.AdamW8bit},
 * kohya's {@code optimizer_type = "AdamW8bit"}), on the CPU with libtorch ops.
 *
 * <p>What follows bitsandbytes (read in bitsandbytes-foundation/bitsandbytes):
 * <ul>
 *   <li>{@code optim/optimizer.py} {@code Optimizer2State.init_state}: a tensor with fewer than {@code min_8bit_size}
 *       values (default 4096), or fewer than 4096 whatever {@code min_8bit_size} says, keeps fp32 moments; a larger
 *       one keeps each moment as one uint8 code per value ({@code state1}, {@code state2}) plus one fp32 absmax per
 *       block ({@code absmax1}, {@code absmax2});</li>
 *   <li>the block size of the blockwise 8-bit optimizers is 256 since bitsandbytes 0.44 (pull request #1365,
 *       "Change 8bit optimizer blocksize 2048->256": {@code init_state} sizes the absmax as {@code n // 256}, rounded
 *       up, and the update kernels use {@code blocksize = 256});</li>
 *   <li>the first moment uses the signed dynamic map, the second the unsigned one ({@code fill_qmap}:
 *       {@code create_dynamic_map(signed=True)} / {@code (signed=False)}), see {@link DynamicQuantMap};</li>
 *   <li>the update ({@code backends/triton/kernels_optim.py}, {@code optimizer_update_8bit_blockwise_pytorch}, the
 *       pure-PyTorch reference of the kernel): dequantise both moments to fp32, do the AdamW update in fp32 with the
 *       fresh moments, then quantise them again blockwise with new absmaxes (nearest code).</li>
 * </ul>
 * The AdamW update itself is libtorch's {@code torch/csrc/api/src/optim/adamw.cpp}, op for op: {@code p *= 1 - lr·wd};
 * {@code m = β1·m + (1-β1)·g}; {@code v = β2·v + (1-β2)·g²}; {@code p -= lr/(1-β1^t) · m / (√v/√(1-β2^t) + eps)}, so
 * with every tensor at 32 bits this optimizer computes what {@link AdamWOptimizer} does, bit for bit (bitsandbytes'
 * reference applies the decay at the same point).
 *
 * <p>Layout: the quantised tensors' codes and absmaxes live in four flat buffers, each tensor a whole number of
 * blocks (its last block padded: up to 255 unused codes per tensor). Runs of consecutive tensors up to
 * {@link #RUN_VALUES} values are updated together, a few dozen libtorch ops per run plus a handful per tensor
 * instead of some seventy per tensor, which matters for adapters' many small tensors; each run's temporaries are
 * freed before the next, so a step needs a few fp32 copies of at most one run (or of the largest tensor). A run in
 * which a tensor has no gradient, or whose tensors have taken different numbers of steps, is updated tensor by
 * tensor instead, so every tensor follows its own step count as in torch.
 *
 * <p>Not carried over: CUDA kernels and paged (unified-memory) state, percentile clipping, {@code max_unorm} and
 * {@code skip_zeros} (all off in bitsandbytes' AdamW8bit defaults), and bitsandbytes' state-dict layout: the state is
 * saved in libtorch's archive format (codes as uint8, absmaxes and 32-bit moments as fp32, steps as int64), which
 * restores it bit for bit.
 *
 * <p>Memory: a quantised tensor of n values holds 2 bytes of codes per value (block-padded) and 8 bytes of absmaxes
 * per 256 values, about 2.03 bytes per value against AdamW's 8 ({@link #stateBytes(long, long)}).
 */
public final class AdamW8bitOptimizer implements Optimizer {
    /** Values per absmax block (bitsandbytes' blockwise optimizers since 0.44). */
    public static final int BLOCK_SIZE = 256;
    /** bitsandbytes' {@code min_8bit_size} default, and the size under which it keeps 32-bit moments regardless. */
    public static final long MIN_8BIT_SIZE = 4096;
    /** Values of quantised tensors updated together (about 40 MB of fp32 temporaries). */
    static final long RUN_VALUES = 1 << 20;

    private static final String BLOCK_SIZE_KEY = "adamw8bit_block_size";
    private static final String LAYOUT_KEY = "adamw8bit_quantised_values";
    private static final String QUANTISED = "quantised";

    private final List<Group> groups;
    private final OptimizerConfig config;
    private final List<Tensor> allParameters = new ArrayList<>();
    private final int[] groupOf;
    private final long[] steps;
    private final double[] lr;
    /** Per parameter its 32-bit moments, or null when quantised. */
    private final Full[] full;
    /** Per parameter its first block in the flat buffers, or -1 when its moments are 32-bit. */
    private final long[] firstBlock;
    private final QuantisedMoments quantised;
    private final List<Run> runs = new ArrayList<>();
    private final Scalar beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps;

    /** @param groups non-empty groups, in a fixed order (a saved state loads only into the same groups) */
    public AdamW8bitOptimizer(List<Group> groups, OptimizerConfig config) {
        this(groups, config, RUN_VALUES);
    }

    /** @param maxRunValues values of quantised tensors updated together (1: tensor by tensor) */
    AdamW8bitOptimizer(List<Group> groups, OptimizerConfig config, long maxRunValues) {
        if (groups.isEmpty()) throw new IllegalArgumentException("nothing to train: no adapter parameters");
        this.groups = List.copyOf(groups);
        this.config = config;
        List<Integer> owners = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            if (group.parameters().isEmpty()) throw new IllegalArgumentException("optimizer group '" + group.name() + "' is empty");
            for (Tensor p : group.parameters()) {
                allParameters.add(p);
                owners.add(g);
            }
        }
        int n = allParameters.size();
        this.groupOf = owners.stream().mapToInt(Integer::intValue).toArray();
        this.steps = new long[n];
        this.lr = new double[groups.size()];
        this.full = new Full[n];
        this.firstBlock = new long[n];
        long blocks = 0;
        List<Integer> run = new ArrayList<>();
        long runValues = 0;
        for (int i = 0; i < n; i++) {
            long values = allParameters.get(i).numel();
            if (!quantised(values, config.min8bitSize())) {
                full[i] = Full.of(allParameters.get(i));
                firstBlock[i] = -1;
                continue;
            }
            firstBlock[i] = blocks;
            blocks += DynamicQuantMap.blocks(values, BLOCK_SIZE);
            if (!run.isEmpty() && runValues + values > maxRunValues) {
                runs.add(run(run));
                run.clear();
                runValues = 0;
            }
            run.add(i);
            runValues += values;
        }
        if (!run.isEmpty()) runs.add(run(run));
        this.quantised = blocks == 0 ? null : QuantisedMoments.of(blocks);
        this.beta1 = constant(config.beta1());
        this.oneMinusBeta1 = constant(1 - config.beta1());
        this.beta2 = constant(config.beta2());
        this.oneMinusBeta2 = constant(1 - config.beta2());
        this.eps = constant(config.eps());
        setLearningRateFactor(1);
    }

    private static Scalar constant(double v) {
        return StepScope.keep(new Scalar(v));
    }

    /** Whether a tensor of {@code numel} values gets 8-bit moments (bitsandbytes' {@code init_state} rule). */
    public static boolean quantised(long numel, long min8bitSize) {
        return numel >= Math.max(min8bitSize, MIN_8BIT_SIZE);
    }

    /** Bytes of moments for an fp32 tensor of {@code numel} values: the rule {@link #stateBytes()} measures. */
    public static long stateBytes(long numel, long min8bitSize) {
        if (!quantised(numel, min8bitSize)) return (long) AdamWOptimizer.STATE_BYTES_PER_FP32_VALUE * numel;
        long blocks = DynamicQuantMap.blocks(numel, BLOCK_SIZE);
        return 2 * blocks * BLOCK_SIZE + 2L * Float.BYTES * blocks;
    }

    @Override
    public List<Group> groups() {
        return groups;
    }

    @Override
    public List<Tensor> parameters() {
        return allParameters;
    }

    @Override
    public void setLearningRateFactor(double factor) {
        for (int g = 0; g < groups.size(); g++) lr[g] = groups.get(g).lr() * factor;
    }

    @Override
    public double learningRate(int group) {
        return lr[group];
    }

    @Override
    public void step() {
        try (NoGrad ignored = new NoGrad()) {
            for (int i = 0; i < allParameters.size(); i++) {
                if (full[i] == null) continue;
                try (StepScope scope = new StepScope()) {
                    Tensor p = allParameters.get(i);
                    Tensor grad = p.grad();
                    if (!grad.defined()) continue;
                    long step = ++steps[i];
                    moments(full[i].expAvg(), full[i].expAvgSq(), grad);
                    apply(p, full[i].expAvg(), denominator(full[i].expAvgSq(), step), lr[groupOf[i]], step);
                }
            }
            for (Run r : runs) {
                // Each run's temporaries (dequantised moments, look-up keys) are freed before the next run.
                try (StepScope scope = new StepScope()) {
                    if (uniform(r)) {
                        update(r);
                    } else {
                        for (int i : r.members()) if (allParameters.get(i).grad().defined()) update(run(List.of(i)));
                    }
                }
            }
        }
    }

    /** A run of consecutive quantised tensors: its members and their blocks in the flat buffers. */
    private record Run(int[] members, long firstBlock, long blocks) {}

    private Run run(List<Integer> members) {
        int last = members.getLast();
        long end = firstBlock[last] + DynamicQuantMap.blocks(allParameters.get(last).numel(), BLOCK_SIZE);
        return new Run(members.stream().mapToInt(Integer::intValue).toArray(), firstBlock[members.getFirst()],
                end - firstBlock[members.getFirst()]);
    }

    /** Whether every tensor of {@code r} has a gradient and they have all taken the same number of steps. */
    private boolean uniform(Run r) {
        for (int i : r.members()) {
            if (!allParameters.get(i).grad().defined() || steps[i] != steps[r.members()[0]]) return false;
        }
        return true;
    }

    /** One AdamW step of the tensors of {@code r}, all with gradients and at the same step count. */
    private void update(Run r) {
        long start = r.firstBlock() * BLOCK_SIZE;
        long length = r.blocks() * BLOCK_SIZE;
        Tensor g = torch.zeros(new long[] {length}, Tensors.options(DType.F32));
        for (int i : r.members()) g.narrow(0, offset(i) - start, allParameters.get(i).numel()).copy_(allParameters.get(i).grad().reshape(-1));
        Tensor codes1 = quantised.expAvg().narrow(0, start, length);
        Tensor codes2 = quantised.expAvgSq().narrow(0, start, length);
        Tensor absmax1 = quantised.expAvgAbsmax().narrow(0, r.firstBlock(), r.blocks());
        Tensor absmax2 = quantised.expAvgSqAbsmax().narrow(0, r.firstBlock(), r.blocks());
        Tensor m = DynamicQuantMap.SIGNED.dequantize(codes1, absmax1, BLOCK_SIZE).view(-1);
        Tensor v = DynamicQuantMap.UNSIGNED.dequantize(codes2, absmax2, BLOCK_SIZE).view(-1);
        moments(m, v, g);
        long step = ++steps[r.members()[0]];
        for (int i : r.members()) steps[i] = step;
        Tensor denom = denominator(v, step);
        // The padding of each tensor's last block has zero gradients, so its moments stay zero and never raise an absmax.
        for (int i : r.members()) {
            Tensor p = allParameters.get(i);
            long[] shape = Tensors.shape(p);
            Tensor mi = m.narrow(0, offset(i) - start, p.numel()).view(shape);
            Tensor di = denom.narrow(0, offset(i) - start, p.numel()).view(shape);
            apply(p, mi, di, lr[groupOf[i]], step);
        }
        DynamicQuantMap.SIGNED.quantize(m.view(r.blocks(), BLOCK_SIZE), codes1, absmax1);
        DynamicQuantMap.UNSIGNED.quantize(v.view(r.blocks(), BLOCK_SIZE), codes2, absmax2);
    }

    private long offset(int parameter) {
        return firstBlock[parameter] * BLOCK_SIZE;
    }

    // libtorch's adamw.cpp, op for op, in three parts shared by the 32-bit and the 8-bit moments.

    private void moments(Tensor expAvg, Tensor expAvgSq, Tensor grad) {
        expAvg.mul_(beta1).add_(grad, oneMinusBeta1);
        expAvgSq.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
    }

    private Tensor denominator(Tensor expAvgSq, long step) {
        double biasCorrection2 = 1 - Math.pow(config.beta2(), step);
        return expAvgSq.sqrt().div_(new Scalar(Math.sqrt(biasCorrection2))).add_(eps);
    }

    /** Decoupled weight decay (which libtorch applies before the moments; it does not touch them) and the step. */
    private void apply(Tensor p, Tensor expAvg, Tensor denom, double lr, long step) {
        if (config.weightDecay() != 0) p.mul_(new Scalar(1 - lr * config.weightDecay()));
        double biasCorrection1 = 1 - Math.pow(config.beta1(), step);
        p.addcdiv_(expAvg, denom, new Scalar(-lr / biasCorrection1));
    }

    @Override
    public void zeroGrad() {
        for (Tensor p : allParameters) {
            // What libtorch's Optimizer::zero_grad(set_to_none) does: detach the gradient, then drop it.
            Tensor grad = p.mutable_grad();
            if (grad.defined()) {
                grad.detach_();
                grad.reset();
            }
        }
    }

    /** The named state tensors: 32-bit moments per parameter, then the flat quantised buffers. */
    private Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < full.length; i++) {
            if (full[i] == null) continue;
            out.put(key(i, "exp_avg"), full[i].expAvg());
            out.put(key(i, "exp_avg_sq"), full[i].expAvgSq());
        }
        if (quantised != null) {
            out.put(QUANTISED + "_exp_avg", quantised.expAvg());
            out.put(QUANTISED + "_exp_avg_sq", quantised.expAvgSq());
            out.put(QUANTISED + "_exp_avg_absmax", quantised.expAvgAbsmax());
            out.put(QUANTISED + "_exp_avg_sq_absmax", quantised.expAvgSqAbsmax());
        }
        return out;
    }

    /** Per parameter, its values when its moments are quantised, else 0: what a saved state must match. */
    private Tensor layout() {
        long[] values = new long[allParameters.size()];
        for (int i = 0; i < values.length; i++) values[i] = full[i] == null ? allParameters.get(i).numel() : 0;
        return Tensors.fromLongs(values, values.length);
    }

    @Override
    public byte[] saveState() {
        OutputArchive archive = new OutputArchive();
        archive.write(BLOCK_SIZE_KEY, Tensors.fromLongs(new long[] {BLOCK_SIZE}));
        archive.write(LAYOUT_KEY, layout());
        archive.write("steps", Tensors.fromLongs(steps, steps.length));
        for (Map.Entry<String, Tensor> e : stateTensors().entrySet()) archive.write(e.getKey(), e.getValue());
        return OptimizerArchive.bytes(archive);
    }

    @Override
    public void loadState(byte[] state) {
        OptimizerArchive.read(state, archive -> {
            long blockSize = Tensors.toLongs(read(archive, BLOCK_SIZE_KEY))[0];
            if (blockSize != BLOCK_SIZE) {
                throw new IllegalArgumentException("the AdamW8bit state uses blocks of " + blockSize + ", this optimizer " + BLOCK_SIZE);
            }
            if (!Arrays.equals(Tensors.toLongs(read(archive, LAYOUT_KEY)), Tensors.toLongs(layout()))) {
                throw new IllegalArgumentException("the AdamW8bit state was saved for other parameters (their sizes or "
                        + "which of them have 8-bit moments differ)");
            }
            // Everything is read and checked before anything is overwritten, so a mismatch leaves this state as it was.
            long[] savedSteps = Tensors.toLongs(read(archive, "steps"));
            Map<String, Tensor> saved = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : stateTensors().entrySet()) {
                Tensor t = read(archive, e.getKey());
                if (Tensors.dtype(t) != Tensors.dtype(e.getValue()) || !Arrays.equals(Tensors.shape(t), Tensors.shape(e.getValue()))) {
                    throw new IllegalArgumentException("the AdamW8bit state does not fit: " + e.getKey() + " is "
                            + Tensors.dtype(t) + " " + Tensors.shapeString(t) + " there, " + Tensors.dtype(e.getValue()) + " "
                            + Tensors.shapeString(e.getValue()) + " here");
                }
                saved.put(e.getKey(), t);
            }
            System.arraycopy(savedSteps, 0, steps, 0, steps.length);
            try (NoGrad ignored = new NoGrad()) {
                for (Map.Entry<String, Tensor> e : stateTensors().entrySet()) e.getValue().copy_(saved.get(e.getKey()));
            }
        });
    }

    private static String key(int parameter, String name) {
        // libtorch archives name entries like attributes: no dots.
        return "param" + parameter + "_" + name;
    }

    private static Tensor read(InputArchive archive, String key) {
        Tensor t = new Tensor();
        try {
            archive.read(key, t);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an AdamW8bit state for these parameters: no '" + key + "' in it", e);
        }
        return t;
    }

    /** Bytes of the moment tensors, codes and absmaxes held (the step counters aside). */
    @Override
    public long stateBytes() {
        long bytes = 0;
        for (Tensor t : stateTensors().values()) bytes += t.nbytes();
        return bytes;
    }

    /** Number of parameters whose moments are quantised. */
    public int quantisedTensors() {
        int n = 0;
        for (Full f : full) if (f == null) n++;
        return n;
    }

    /** 32-bit moments, like the parameter (what libtorch's AdamW keeps). */
    private record Full(Tensor expAvg, Tensor expAvgSq) {
        static Full of(Tensor p) {
            return new Full(StepScope.keep(torch.zeros_like(p)), StepScope.keep(torch.zeros_like(p)));
        }
    }

    /**
     * The quantised tensors' moments: codes into the signed (first moment) and unsigned (second) dynamic maps, one
     * per value, and fp32 absmaxes, one per block. All zeros at first (absmax 0 dequantises every code to 0), as in
     * bitsandbytes.
     */
    private record QuantisedMoments(Tensor expAvg, Tensor expAvgSq, Tensor expAvgAbsmax, Tensor expAvgSqAbsmax) {
        static QuantisedMoments of(long blocks) {
            return new QuantisedMoments(zeros(blocks * BLOCK_SIZE, DType.U8), zeros(blocks * BLOCK_SIZE, DType.U8),
                    zeros(blocks, DType.F32), zeros(blocks, DType.F32));
        }

        private static Tensor zeros(long n, DType dtype) {
            return StepScope.keep(torch.zeros(new long[] {n}, Tensors.options(dtype)));
        }
    }
}
