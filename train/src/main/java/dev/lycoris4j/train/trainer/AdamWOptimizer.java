package dev.lycoris4j.train.trainer;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * libtorch's native AdamW over parameter groups with their own base learning rates (text encoder, UNet), the
 * schedule's multiplier applied to all of them before each step. Its state (per parameter exp_avg, exp_avg_sq and
 * step, and the group options) is saved and restored through libtorch's own optimizer archive, so a resumed run
 * continues with bit-identical moments.
 */
public final class AdamWOptimizer {

    /** A named group of parameters trained at base learning rate {@code lr}. */
    public record Group(String name, List<Tensor> parameters, double lr) {}

    private final AdamW optimizer;
    private final List<Group> groups;
    private final List<Tensor> allParameters = new ArrayList<>();
    private final TensorVector allParameterVector;

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
        this.allParameterVector = new TensorVector(allParameters.toArray(new Tensor[0]));
    }

    private static AdamWOptions options(double lr, OptimizerConfig c) {
        AdamWOptions o = new AdamWOptions(lr);
        // The betas are a std::tuple<double, double>, which libstdc++ lays out last element first.
        o.betas().put(0, c.beta2()).put(1, c.beta1());
        o.eps().put(c.eps());
        o.weight_decay().put(c.weightDecay());
        return o;
    }

    public List<Group> groups() {
        return groups;
    }

    /** Every trained tensor, groups in order. */
    public List<Tensor> parameters() {
        return allParameters;
    }

    /** Sets every group's learning rate to its base rate times {@code factor}. */
    public void setLearningRateFactor(double factor) {
        for (int i = 0; i < groups.size(); i++) optimizer.param_groups().get(i).options().set_lr(groups.get(i).lr() * factor);
    }

    public double learningRate(int group) {
        return optimizer.param_groups().get(group).options().get_lr();
    }

    /** Scales the gradients so their global 2-norm is at most {@code maxNorm}; returns the norm before clipping. */
    public double clipGradients(double maxNorm) {
        return torch.clip_grad_norm_(allParameterVector, maxNorm);
    }

    public void step() {
        optimizer.step();
    }

    /** Drops the gradients (set to none, as PyTorch's default zero_grad does). */
    public void zeroGrad() {
        optimizer.zero_grad(true);
    }

    /** The optimizer's whole state as libtorch's archive bytes. */
    public byte[] saveState() {
        OutputArchive archive = new OutputArchive();
        optimizer.save(archive);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        archive.save_to(new ArchiveWriter() {
            @Override
            public long call(Pointer data, long size) {
                byte[] chunk = new byte[Math.toIntExact(size)];
                new BytePointer(data).capacity(size).get(chunk);
                out.write(chunk, 0, chunk.length);
                return size;
            }
        });
        return out.toByteArray();
    }

    /** Restores a state {@link #saveState} wrote for the same groups (learning rates are set again before each step). */
    public void loadState(byte[] state) {
        try (BytePointer bytes = new BytePointer(state.length)) {
            bytes.put(state);
            InputArchive archive = new InputArchive();
            archive.load_from(bytes, state.length);
            optimizer.load(archive);
        }
    }
}
