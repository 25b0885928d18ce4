package dev.lycoris4j.train.trainer;

import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import java.util.ArrayList;
import java.util.List;

/**
 * libtorch's native AdamW over parameter groups with their own base learning rates (text encoder, UNet), the
 * schedule's multiplier applied to all of them before each step. Its state (per parameter exp_avg, exp_avg_sq and
 * step, and the group options) is saved and restored through libtorch's own optimizer archive, so a resumed run
 * continues with bit-identical moments.
 */
public final class AdamWOptimizer implements Optimizer {

    /** exp_avg and exp_avg_sq, each a zeros_like of the fp32 parameter (libtorch's adamw.cpp, amsgrad off). */
    public static final int STATE_BYTES_PER_FP32_VALUE = 2 * Float.BYTES;

    private final AdamW optimizer;
    private final List<Group> groups;
    private final List<Tensor> allParameters = new ArrayList<>();

    /** @param groups non-empty groups, in a fixed order (a saved state loads only into the same groups) */
    public AdamWOptimizer(List<Group> groups, OptimizerConfig c) {
        if (groups.isEmpty()) throw new IllegalArgumentException("nothing to train: no adapter parameters");
        this.groups = List.copyOf(groups);
        AdamW opt = null;
        for (Group g : groups) {
            if (g.parameters().isEmpty()) throw new IllegalArgumentException("optimizer group '" + g.name() + "' is empty");
            TensorVector params = new TensorVector(g.parameters().toArray(new Tensor[0]));
            if (opt == null) opt = new AdamW(params, options(g.lr(), c));
            else opt.add_param_group(new OptimizerParamGroup(params, options(g.lr(), c)));
            allParameters.addAll(g.parameters());
        }
        this.optimizer = opt;
    }

    private static AdamWOptions options(double lr, OptimizerConfig c) {
        AdamWOptions o = new AdamWOptions(lr);
        // The betas are a std::tuple<double, double>, which libstdc++ lays out last element first.
        o.betas().put(0, c.beta2()).put(1, c.beta1());
        o.eps().put(c.eps());
        o.weight_decay().put(c.weightDecay());
        return o;
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
        for (int i = 0; i < groups.size(); i++) optimizer.param_groups().get(i).options().set_lr(groups.get(i).lr() * factor);
    }

    @Override
    public double learningRate(int group) {
        return optimizer.param_groups().get(group).options().get_lr();
    }

    @Override
    public void step() {
        optimizer.step();
    }

    @Override
    public void zeroGrad() {
        optimizer.zero_grad(true);
    }

    /** The optimizer's whole state as libtorch's archive bytes. */
    @Override
    public byte[] saveState() {
        OutputArchive archive = new OutputArchive();
        optimizer.save(archive);
        return OptimizerArchive.bytes(archive);
    }

    @Override
    public void loadState(byte[] state) {
        OptimizerArchive.read(state, optimizer::load);
    }

    /**
     * libtorch creates both moments of a parameter at its first step and does not expose them through the Java
     * API, so this is their size by that rule: two fp32 copies of every parameter.
     */
    @Override
    public long stateBytes() {
        long bytes = 0;
        for (Tensor p : allParameters) bytes += 2 * p.nbytes();
        return bytes;
    }
}
