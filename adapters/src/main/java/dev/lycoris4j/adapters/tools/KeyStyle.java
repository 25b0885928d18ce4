package dev.lycoris4j.adapters.tools;

import java.util.Locale;

/** How a LoRA file keys its modules (see {@link ModuleNaming}). */
public enum KeyStyle {
    /** {@code lora_unet_…}, {@code lora_te1_…} + {@code .lora_down.weight}, {@code .lora_up.weight}, {@code .alpha}. */
    KOHYA,
    /** {@code lycoris_…} with the same suffixes. */
    LYCORIS,
    /** diffusers/PEFT: {@code unet.<path>.lora_A.weight} (r, in), {@code .lora_B.weight} (out, r), alpha folded in. */
    PEFT;

    public static KeyStyle parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "kohya" -> KOHYA;
            case "lycoris" -> LYCORIS;
            case "peft", "diffusers" -> PEFT;
            default -> throw new IllegalArgumentException("unknown key style '" + name + "': use kohya, peft or lycoris");
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
