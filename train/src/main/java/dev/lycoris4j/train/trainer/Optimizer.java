package dev.lycoris4j.train.trainer;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * What the training loop needs of an optimizer: named parameter groups with their own base learning rates, the
 * schedule's factor, gradient clipping, a step, dropping the gradients, and its whole state as bytes for
 * {@link TrainState}. {@link #create} picks the implementation from {@link OptimizerConfig#type()}.
 */
public interface Optimizer {

    /** A named group of parameters trained at base learning rate {@code lr}. */
    record Group(String name, List<Tensor> parameters, double lr) {}

    /** The optimizer {@code config} names, over {@code groups} (non-empty, in a fixed order). */
    static Optimizer create(List<Group> groups, OptimizerConfig config) {
        return switch (config.type()) {
            case ADAMW -> new AdamWOptimizer(groups, config);
            case ADAMW_8BIT -> new AdamW8bitOptimizer(groups, config);
        };
    }

    List<Group> groups();

    /** Every trained tensor, groups in order. */
    List<Tensor> parameters();

    /** Sets every group's learning rate to its base rate times {@code factor}. */
    void setLearningRateFactor(double factor);

    double learningRate(int group);

    /** Scales the gradients so their global 2-norm is at most {@code maxNorm}; returns the norm before clipping. */
    default double clipGradients(double maxNorm) {
        // The vector is a temporary of the caller's step scope; the gradients are scaled in place.
        return torch.clip_grad_norm_(new TensorVector(parameters().toArray(new Tensor[0])), maxNorm);
    }

    /** One update of every parameter that has a gradient. */
    void step();

    /** Drops the gradients (set to none, as PyTorch's default zero_grad does). */
    void zeroGrad();

    /** The optimizer's whole state, for {@link #loadState} into an optimizer over the same groups. */
    byte[] saveState();

    /** Restores a state {@link #saveState} wrote for the same groups (learning rates are set again before each step). */
    void loadState(byte[] state);

    /** Bytes of per-parameter state (moments and their quantisation scales) the optimizer holds for all parameters. */
    long stateBytes();
}
