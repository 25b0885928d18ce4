package dev.lycoris4j.diffusion.scheduler;

/** What the denoising model predicts, as diffusers' {@code prediction_type} names it. */
public enum PredictionType {
    /** The added noise ε (Stable Diffusion 1.x, SDXL). */
    EPSILON("epsilon"),
    /** The velocity v = √ᾱ·ε − √(1−ᾱ)·x₀ (Stable Diffusion 2.x 768). */
    V_PREDICTION("v_prediction");

    private final String configName;

    PredictionType(String configName) {
        this.configName = configName;
    }

    /** The spelling in diffusers' scheduler_config.json. */
    public String configName() {
        return configName;
    }

    /** The value for a config spelling; throws naming the accepted spellings otherwise. */
    public static PredictionType fromConfigName(String name) {
        for (PredictionType p : values()) {
            if (p.configName.equals(name)) return p;
        }
        throw new IllegalArgumentException("'" + name + "' is not supported (use epsilon or v_prediction)");
    }
}
