package dev.lycoris4j.diffusion.scheduler;

/** How the per-step noise variances β are laid out, as diffusers' {@code beta_schedule} names it. */
public enum BetaSchedule {
    /** β evenly spaced from beta_start to beta_end. */
    LINEAR("linear"),
    /** √β evenly spaced, then squared: the latent-diffusion schedule of Stable Diffusion. */
    SCALED_LINEAR("scaled_linear");

    private final String configName;

    BetaSchedule(String configName) {
        this.configName = configName;
    }

    /** The spelling in diffusers' scheduler_config.json. */
    public String configName() {
        return configName;
    }

    /** The value for a config spelling; throws naming the accepted spellings otherwise. */
    public static BetaSchedule fromConfigName(String name) {
        for (BetaSchedule b : values()) {
            if (b.configName.equals(name)) return b;
        }
        throw new IllegalArgumentException("'" + name + "' is not supported (use linear or scaled_linear)");
    }
}
