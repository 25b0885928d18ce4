package dev.lycoris4j.train.trainer;

import java.util.Arrays;
import java.util.List;

/**
 * Optimizer and gradient settings.
 *
 * @param unetLr        learning rate of the UNet adapters
 * @param textEncoderLr learning rate of the text-encoder adapters (0 leaves them untrained, as kohya drops the group)
 * @param maxGradNorm   clip the global gradient norm to this (0: no clipping)
 * @param type          AdamW, or AdamW with 8-bit blockwise-quantised moments
 * @param min8bitSize   with {@link Type#ADAMW_8BIT}, tensors with fewer values keep 32-bit moments (bitsandbytes'
 *                      {@code min_8bit_size})
 */
public record OptimizerConfig(double unetLr, double textEncoderLr, double weightDecay, double beta1, double beta2,
                              double eps, double maxGradNorm, Type type, long min8bitSize) {

    /** The optimizers, by kohya's {@code optimizer_type} names. */
    public enum Type {
        ADAMW("AdamW", "torch.optim.AdamW"),
        ADAMW_8BIT("AdamW8bit", "bitsandbytes.optim.AdamW8bit");

        private final String kohyaName;
        private final String className;

        Type(String kohyaName, String className) {
            this.kohyaName = kohyaName;
            this.className = className;
        }

        public String kohyaName() {
            return kohyaName;
        }

        /**
         * The type {@code name} names, case-insensitive as kohya compares them: its {@code optimizer_type} name
         * ({@code AdamW8bit}, which is also bitsandbytes' class name, so {@code adamw8bit} and
         * {@code bitsandbytes.optim.AdamW8bit} work too); null when none does.
         */
        public static Type parse(String name) {
            for (Type t : values()) {
                if (t.kohyaName.equalsIgnoreCase(name) || t.className.equalsIgnoreCase(name)) return t;
            }
            return null;
        }

        public static List<String> names() {
            return Arrays.stream(values()).map(Type::kohyaName).toList();
        }
    }

    public OptimizerConfig {
        if (!(unetLr >= 0) || !(textEncoderLr >= 0)) {
            throw new IllegalArgumentException("learning rates must be >= 0, got unet " + unetLr + ", text encoder " + textEncoderLr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0)) throw new IllegalArgumentException("AdamW eps must be > 0, got " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        if (!(maxGradNorm >= 0)) throw new IllegalArgumentException("max_grad_norm must be >= 0, got " + maxGradNorm);
        if (type == null) throw new IllegalArgumentException("no optimizer type");
        if (min8bitSize < 0) throw new IllegalArgumentException("min_8bit_size must be >= 0, got " + min8bitSize);
    }

    /** AdamW (32-bit moments) at these settings. */
    public OptimizerConfig(double unetLr, double textEncoderLr, double weightDecay, double beta1, double beta2,
                           double eps, double maxGradNorm) {
        this(unetLr, textEncoderLr, weightDecay, beta1, beta2, eps, maxGradNorm, Type.ADAMW, AdamW8bitOptimizer.MIN_8BIT_SIZE);
    }

    /** torch.optim.AdamW's defaults (kohya's AdamW) with kohya's clipping at 1, at one learning rate. */
    public static OptimizerConfig torchDefaults(double lr) {
        return new OptimizerConfig(lr, lr, 0.01, 0.9, 0.999, 1e-8, 1.0);
    }

    /** These settings with optimizer {@code t}. */
    public OptimizerConfig withType(Type t) {
        return new OptimizerConfig(unetLr, textEncoderLr, weightDecay, beta1, beta2, eps, maxGradNorm, t, min8bitSize);
    }

    /** These settings with bitsandbytes' {@code min_8bit_size} at {@code values}. */
    public OptimizerConfig withMin8bitSize(long values) {
        return new OptimizerConfig(unetLr, textEncoderLr, weightDecay, beta1, beta2, eps, maxGradNorm, type, values);
    }
}
