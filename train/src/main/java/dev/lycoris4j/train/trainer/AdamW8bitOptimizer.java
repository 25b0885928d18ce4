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
 *       block ({@code absmax1}, {@code absmax2}, {@code ceil(n / 256)} of them);</li>
 *   <li>the block size of the blockwise 8-bit optimizers is 256 since bitsandbytes 0.44 (pull request #1365,
 *       "Change 8bit optimizer blocksize 2048->256"; {@code init_state} sizes the absmax as {@code n // 256}, rounded
 *       up, and the update kernels use {@code blocksize = 256});</li>
 *   <li>the first moment uses the signed dynamic map, the second the unsigned one ({@code fill_qmap}:
 *       {@code create_dynamic_map(signed=True)} / {@code (signed=False)}), see {@link DynamicQuantMap};</li>
 *   <li>the update ({@code backends/triton/kernels_optim.py}, {@code optimizer_update_8bit_blockwise_pytorch}, the
 *       pure-PyTorch reference of the kernel): dequantise both moments to fp32, do the AdamW update in fp32 with the
 *       fresh moments, then quantise them again blockwise with new absmaxes (nearest code).</li>
 * </ul>
 * The AdamW update itself is libtorch's {@code torch/csrc/api/src/optim/adamw.cpp}, op for op: {@code p *= 1 - lr·wd};
 * {@code m = β1·m + (1-β1)·g}; {@code v = β2·v + (1-β2)·g²}; {@code p -= lr/(1-β1^t) · m / (√v/√(1-β2^t) + eps)}, so
 * with every tensor at 32 bits this optimizer computes what {@link AdamWOptimizer} does (bitsandbytes' reference
 * applies the decay at the same point).
 *
 * <p>Not carried over: CUDA kernels and paged (unified-memory) state, percentile clipping, {@code max_unorm} and
 * {@code skip_zeros} (all off in bitsandbytes' AdamW8bit defaults), and bitsandbytes' state-dict layout: the state is
 * saved in libtorch's archive format (codes as uint8, absmaxes and 32-bit moments as fp32, steps as int64), which
 * restores it bit for bit.
 *
 * <p>Memory: a quantised tensor of n values holds 2n bytes of codes and 8·ceil(n/256) bytes of absmax, about 2.03
 * bytes per value against AdamW's 8 ({@link #stateBytes(long, long)}).
 */
public final class AdamW8bitOptimizer implements Optimizer {
    /** Values per absmax block (bitsandbytes' blockwise optimizers since 0.44). */
    public static final int BLOCK_SIZE = 256;
    /** bitsandbytes' {@code min_8bit_size} default, and the size under which it keeps 32-bit moments regardless. */
    public static final long MIN_8BIT_SIZE = 4096;

    private static final String BLOCK_SIZE_KEY = "adamw8bit_block_size";

    private final List<Group> groups;
    private final OptimizerConfig config;
    private final List<Tensor> allParameters = new ArrayList<>();
    private final List<Moments> moments = new ArrayList<>();
    private final int[] groupOf;
    private final long[] steps;
    private final double[] lr;

    /** @param groups non-empty groups, in a fixed order (a saved state loads only into the same groups) */
    public AdamW8bitOptimizer(List<Group> groups, OptimizerConfig config) {
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
                moments.add(quantised(p.numel(), config.min8bitSize()) ? Quantised.of(p) : Full.of(p));
            }
        }
        this.groupOf = owners.stream().mapToInt(Integer::intValue).toArray();
        this.steps = new long[allParameters.size()];
        this.lr = new double[groups.size()];
        setLearningRateFactor(1);
    }

    /** Whether a tensor of {@code numel} values gets 8-bit moments (bitsandbytes' {@code init_state} rule). */
    public static boolean quantised(long numel, long min8bitSize) {
        return numel >= Math.max(min8bitSize, MIN_8BIT_SIZE);
    }

    /** Bytes of moments for an fp32 tensor of {@code numel} values: the rule {@link #stateBytes()} measures. */
    public static long stateBytes(long numel, long min8bitSize) {
        if (!quantised(numel, min8bitSize)) return (long) AdamWOptimizer.STATE_BYTES_PER_FP32_VALUE * numel;
        return 2 * numel + 2L * Float.BYTES * DynamicQuantMap.blocks(numel, BLOCK_SIZE);
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
                Tensor p = allParameters.get(i);
                // Each tensor's temporaries (dequantised moments, indices) are freed before the next is updated.
                try (StepScope scope = new StepScope()) {
                    Tensor grad = p.grad();
                    if (!grad.defined()) continue;
                    steps[i]++;
                    moments.get(i).update(p, grad, lr[groupOf[i]], steps[i], config);
                }
            }
        }
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

    @Override
    public byte[] saveState() {
        OutputArchive archive = new OutputArchive();
        archive.write(BLOCK_SIZE_KEY, Tensors.fromLongs(new long[] {BLOCK_SIZE}));
        for (int i = 0; i < moments.size(); i++) {
            archive.write(key(i, "step"), Tensors.fromLongs(new long[] {steps[i]}));
            for (Map.Entry<String, Tensor> e : moments.get(i).tensors().entrySet()) archive.write(key(i, e.getKey()), e.getValue());
        }
        return OptimizerArchive.bytes(archive);
    }

    @Override
    public void loadState(byte[] state) {
        OptimizerArchive.read(state, archive -> {
            long blockSize = Tensors.toLongs(read(archive, BLOCK_SIZE_KEY))[0];
            if (blockSize != BLOCK_SIZE) {
                throw new IllegalArgumentException("the AdamW8bit state uses blocks of " + blockSize + ", this optimizer " + BLOCK_SIZE);
            }
            // Everything is read and checked before anything is overwritten, so a mismatch leaves this state as it was.
            long[] savedSteps = new long[moments.size()];
            List<Map<String, Tensor>> saved = new ArrayList<>();
            for (int i = 0; i < moments.size(); i++) {
                savedSteps[i] = Tensors.toLongs(read(archive, key(i, "step")))[0];
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : moments.get(i).tensors().entrySet()) {
                    Tensor t = read(archive, key(i, e.getKey()));
                    if (Tensors.dtype(t) != Tensors.dtype(e.getValue()) || !Arrays.equals(Tensors.shape(t), Tensors.shape(e.getValue()))) {
                        throw new IllegalArgumentException("the AdamW8bit state does not fit parameter " + i + ": " + e.getKey()
                                + " is " + Tensors.dtype(t) + " " + Tensors.shapeString(t) + " there, "
                                + Tensors.dtype(e.getValue()) + " " + Tensors.shapeString(e.getValue()) + " here");
                    }
                    tensors.put(e.getKey(), t);
                }
                saved.add(tensors);
            }
            try (NoGrad ignored = new NoGrad()) {
                for (int i = 0; i < moments.size(); i++) {
                    steps[i] = savedSteps[i];
                    for (Map.Entry<String, Tensor> e : moments.get(i).tensors().entrySet()) e.getValue().copy_(saved.get(i).get(e.getKey()));
                }
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

    /** Bytes of the moment tensors and absmaxes held (the step counters aside). */
    @Override
    public long stateBytes() {
        long bytes = 0;
        for (Moments m : moments) for (Tensor t : m.tensors().values()) bytes += t.nbytes();
        return bytes;
    }

    /** Number of parameters whose moments are quantised. */
    public int quantisedTensors() {
        int n = 0;
        for (Moments m : moments) if (m instanceof Quantised) n++;
        return n;
    }

    /**
     * libtorch's AdamW update of {@code p} from {@code grad}, with fp32 moments {@code expAvg}, {@code expAvgSq} (same
     * shape as {@code p}) updated in place; the same ops in the same order as {@code adamw.cpp}.
     */
    static void adamW(Tensor p, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, long step, OptimizerConfig c) {
        if (c.weightDecay() != 0) p.mul_(new Scalar(1 - lr * c.weightDecay()));
        double biasCorrection1 = 1 - Math.pow(c.beta1(), step);
        double biasCorrection2 = 1 - Math.pow(c.beta2(), step);
        expAvg.mul_(new Scalar(c.beta1())).add_(grad, new Scalar(1 - c.beta1()));
        expAvgSq.mul_(new Scalar(c.beta2())).addcmul_(grad, grad, new Scalar(1 - c.beta2()));
        Tensor denom = expAvgSq.sqrt().div(new Scalar(Math.sqrt(biasCorrection2))).add_(new Scalar(c.eps()));
        p.addcdiv_(expAvg, denom, new Scalar(-lr / biasCorrection1));
    }

    /** One parameter's moments. */
    private sealed interface Moments permits Full, Quantised {
        void update(Tensor p, Tensor grad, double lr, long step, OptimizerConfig c);

        /** The state tensors by name, for saving, loading and counting. */
        Map<String, Tensor> tensors();
    }

    /** 32-bit moments, like the parameter (what libtorch's AdamW keeps). */
    private record Full(Tensor expAvg, Tensor expAvgSq) implements Moments {
        static Full of(Tensor p) {
            return new Full(StepScope.keep(torch.zeros_like(p)), StepScope.keep(torch.zeros_like(p)));
        }

        @Override
        public void update(Tensor p, Tensor grad, double lr, long step, OptimizerConfig c) {
            adamW(p, grad, expAvg, expAvgSq, lr, step, c);
        }

        @Override
        public Map<String, Tensor> tensors() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("exp_avg", expAvg);
            m.put("exp_avg_sq", expAvgSq);
            return m;
        }
    }

    /**
     * 8-bit moments: codes into the signed (first moment) and unsigned (second) dynamic maps, one per value, and
     * fp32 absmaxes, one per block. All zeros at first (absmax 0 dequantises every code to 0), as in bitsandbytes.
     */
    private record Quantised(Tensor expAvg, Tensor expAvgSq, Tensor expAvgAbsmax, Tensor expAvgSqAbsmax) implements Moments {
        static Quantised of(Tensor p) {
            long n = p.numel();
            long blocks = DynamicQuantMap.blocks(n, BLOCK_SIZE);
            return new Quantised(zeros(n, DType.U8), zeros(n, DType.U8), zeros(blocks, DType.F32), zeros(blocks, DType.F32));
        }

        private static Tensor zeros(long n, DType dtype) {
            return StepScope.keep(torch.zeros(new long[] {n}, Tensors.options(dtype)));
        }

        @Override
        public void update(Tensor p, Tensor grad, double lr, long step, OptimizerConfig c) {
            Tensor m = DynamicQuantMap.SIGNED.dequantize(expAvg, expAvgAbsmax, BLOCK_SIZE);
            Tensor v = DynamicQuantMap.UNSIGNED.dequantize(expAvgSq, expAvgSqAbsmax, BLOCK_SIZE);
            // The update runs on views of the real values in the parameter's shape; the padding of the last block
            // stays zero, so it never raises a block's absmax.
            long[] shape = Tensors.shape(p);
            Tensor g = grad.to(torch.ScalarType.Float);
            Tensor target = Tensors.dtype(p) == DType.F32 ? p : p.to(torch.ScalarType.Float);
            adamW(target, g, values(m, p.numel(), shape), values(v, p.numel(), shape), lr, step, c);
            if (target != p) p.copy_(target);
            DynamicQuantMap.SIGNED.quantize(m, expAvg, expAvgAbsmax);
            DynamicQuantMap.UNSIGNED.quantize(v, expAvgSq, expAvgSqAbsmax);
        }

        private static Tensor values(Tensor blocks, long n, long[] shape) {
            return blocks.view(-1).narrow(0, 0, n).view(shape);
        }

        @Override
        public Map<String, Tensor> tensors() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("exp_avg", expAvg);
            m.put("exp_avg_sq", expAvgSq);
            m.put("exp_avg_absmax", expAvgAbsmax);
            m.put("exp_avg_sq_absmax", expAvgSqAbsmax);
            return m;
        }
    }
}
