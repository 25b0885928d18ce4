package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.nn.Autocast;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.diffusion.model.StableDiffusion;

import java.util.Locale;
import java.util.Map;

/**
 * kohya's {@code --mixed_precision}: the frozen UNet and text encoder are held in fp16 or bf16 (kohya's
 * {@code weight_dtype}), the trainable adapters stay fp32 master weights that the optimizer updates in fp32, the
 * forward runs under {@link Autocast} in that dtype, and the loss is taken in fp32. fp16's narrow range also needs
 * {@link GradScaler loss scaling}; bf16 has fp32's range and needs none.
 */
public enum MixedPrecision {
    NO("no", DType.F32),
    FP16("fp16", DType.F16),
    BF16("bf16", DType.BF16);

    private final String kohyaName;
    private final DType weightDtype;

    MixedPrecision(String kohyaName, DType weightDtype) {
        this.kohyaName = kohyaName;
        this.weightDtype = weightDtype;
    }

    public String kohyaName() {
        return kohyaName;
    }

    /** The frozen model's dtype (fp32 for {@link #NO}). */
    public DType weightDtype() {
        return weightDtype;
    }

    public static MixedPrecision parse(String name) {
        for (MixedPrecision p : values()) {
            if (p.kohyaName.equals(name.strip().toLowerCase(Locale.ROOT))) return p;
        }
        throw new IllegalArgumentException("mixed_precision must be no, fp16 or bf16, got '" + name + "'");
    }

    /**
     * Casts the frozen components to {@link #weightDtype}: the text encoders and UNet always, the VAE only with
     * {@code halfVae} (it otherwise stays as loaded, fp32, so latents are encoded at full precision). Before the
     * adapters are created, which read the layers' weights.
     */
    void castFrozen(StableDiffusion sd, boolean halfVae) {
        if (this == NO) return;
        for (Map.Entry<String, Module> e : sd.components().entrySet()) {
            if (halfVae || !e.getKey().equals("vae")) e.getValue().to(weightDtype);
        }
    }

    /** The scope of a forward on {@code device}: autocast in {@link #weightDtype}, or for {@link #NO} autocast off. */
    Autocast autocast(String device) {
        return this == NO ? Autocast.disable(device) : Autocast.enable(device, weightDtype);
    }

    /** PyTorch's default dynamic loss scaling for fp16; a pass-through scaler otherwise. */
    GradScaler lossScaler() {
        return this == FP16 ? GradScaler.of(GradScaler.Settings.TORCH_DEFAULTS) : GradScaler.disabled();
    }
}
