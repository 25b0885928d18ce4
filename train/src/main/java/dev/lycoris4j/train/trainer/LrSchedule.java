package dev.lycoris4j.train.trainer;

import java.util.Locale;

/**
 * The learning-rate multiplier per optimizer step, as diffusers' {@code get_scheduler} (which kohya uses) defines
 * it: a linear warm-up from 0 over {@code warmupSteps}, then constant, a half cosine to 0, or a straight line to 0
 * at {@code totalSteps}. Step {@code k} is the k-th optimizer step counted from 0, so the first step runs at
 * multiplier 0 whenever there is a warm-up, as with PyTorch's LambdaLR.
 */
public record LrSchedule(Kind kind, long warmupSteps, long totalSteps) {

    public enum Kind {
        /** Constant; with a warm-up it is {@code constant_with_warmup} (kohya refuses a warm-up there instead). */
        CONSTANT("constant"),
        CONSTANT_WITH_WARMUP("constant_with_warmup"),
        COSINE("cosine"),
        LINEAR("linear");

        private final String kohyaName;

        Kind(String kohyaName) {
            this.kohyaName = kohyaName;
        }

        /** The {@code --lr_scheduler} spelling. */
        public String kohyaName() {
            return kohyaName;
        }

        public static Kind parse(String name) {
            String n = name.toLowerCase(Locale.ROOT).replace('-', '_');
            for (Kind k : values()) if (k.kohyaName.equals(n)) return k;
            throw new IllegalArgumentException("unknown lr_scheduler '" + name
                    + "': use constant, constant_with_warmup, cosine or linear");
        }
    }

    public LrSchedule {
        if (warmupSteps < 0) throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        if (totalSteps < 1) throw new IllegalArgumentException("total steps must be >= 1, got " + totalSteps);
    }

    public double factor(long step) {
        if (step < warmupSteps) return (double) step / Math.max(1, warmupSteps);
        return switch (kind) {
            case CONSTANT, CONSTANT_WITH_WARMUP -> 1.0;
            case COSINE -> {
                double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
            }
            case LINEAR -> Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
        };
    }
}
