package dev.lycoris4j.core.memory;

import dev.lycoris4j.core.nn.Checkpoint;
import dev.lycoris4j.core.nn.ConvNd;
import dev.lycoris4j.core.nn.GroupNorm;
import dev.lycoris4j.core.nn.LayerNorm;
import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A small training run for {@link NativeMemoryStabilityTest}, which starts it in its own JVM so that
 * resident memory measures native memory alone. Arguments: steps, warm-up steps, and "scoped",
 * "unscoped" (the negative control: the same loop without step scopes) or "checkpointed" (scoped, with the
 * network run as gradient-checkpointed segments, one with dropout, plus a segment whose output is unused).
 * Prints one line: {@code rss_after_warmup=<bytes> rss_end=<bytes> loss_first=<mean> loss_last=<mean>}.
 */
public final class TrainingLoopProbe {
    private static final int LOSS_WINDOW = 100;

    /** conv → GroupNorm → GELU → LayerNorm → Linear → GELU → Linear on a [32, 4, 4, 4] batch (32×64 values). */
    static final class Net extends Module {
        final ConvNd conv = register("conv", new ConvNd(2, 4, 8, 3, 1, 1, true, Placement.cpu()));
        final GroupNorm groupNorm = register("group_norm", new GroupNorm(2, 8, 1e-5));
        final LayerNorm norm = register("norm", new LayerNorm(128));
        final Linear fc1 = register("fc1", new Linear(128, 64, true));
        final Linear fc2 = register("fc2", new Linear(64, 64, true));

        Tensor forward(Tensor x) {
            return head(features(x), 0);
        }

        /**
         * The same network as two checkpointed segments: the first has no input requiring grad (only parameters),
         * the second has dropout; a second call of it whose output never reaches the loss never runs its hooks.
         */
        Tensor checkpointedForward(Tensor x) {
            Tensor h = Checkpoint.run(this, in -> features(in.getFirst()), x);
            Checkpoint.run(this, in -> head(in.getFirst(), 0.1), h);
            return Checkpoint.run(this, in -> head(in.getFirst(), 0.1), h);
        }

        private Tensor features(Tensor x) {
            return torch.gelu(groupNorm.forward(conv.forward(x))).flatten(1, -1);
        }

        private Tensor head(Tensor h, double dropout) {
            Tensor a = torch.gelu(fc1.forward(norm.forward(h)));
            return fc2.forward(dropout > 0 ? torch.dropout(a, dropout, true) : a);
        }
    }

    public static void main(String[] args) {
        int steps = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        boolean checkpointed = args[2].equals("checkpointed");
        boolean scoped = args[2].equals("scoped") || checkpointed;
        // Ops this small gain nothing from intra-op threads, and on a loaded machine spinning OpenMP
        // workers slow each step down by an order of magnitude.
        torch.set_num_threads(1);
        torch.manual_seed(7);
        Net net = new Net();
        TensorVector params = new TensorVector();
        for (Tensor p : net.namedParameters().values()) params.push_back(p);
        AdamW optimizer = new AdamW(params, new AdamWOptions(1e-2));
        Scalar half = new Scalar(0.5);

        double lossFirst = 0;
        double lossLast = 0;
        long rssAfterWarmup = 0;
        for (int step = 0; step < steps; step++) {
            StepScope scope = scoped ? new StepScope() : null;
            double loss;
            try {
                Tensor x = torch.randn(32, 4, 4, 4);
                Tensor target = x.flatten(1, -1).mul(half); // a fixed function of the input: the loss can fall
                optimizer.zero_grad();
                Tensor l = torch.mse_loss(checkpointed ? net.checkpointedForward(x) : net.forward(x), target);
                l.backward();
                optimizer.step();
                loss = l.item_double(); // into Java before the scope frees l
            } finally {
                if (scope != null) scope.close();
            }
            if (step < LOSS_WINDOW) lossFirst += loss / LOSS_WINDOW;
            if (step >= steps - LOSS_WINDOW) lossLast += loss / LOSS_WINDOW;
            if (step == warmup - 1) rssAfterWarmup = ProcessMemory.residentBytes();
        }
        System.out.println("rss_after_warmup=" + rssAfterWarmup + " rss_end=" + ProcessMemory.residentBytes()
                + " loss_first=" + lossFirst + " loss_last=" + lossLast);
    }
}
