package dev.lycoris4j.diffusion.scheduler;

/**
 * How inference timesteps are spread over the training timesteps, as diffusers' {@code timestep_spacing}
 * names it (see table 2 of "Common Diffusion Noise Schedules and Sample Steps are Flawed").
 */
public enum TimestepSpacing {
    /** Multiples of ⌊N/steps⌋ from 0, plus steps_offset: never reaches the last training step. */
    LEADING("leading"),
    /** Counted down from the last training step N−1 in strides of N/steps. */
    TRAILING("trailing"),
    /** Evenly spaced over [0, N−1], both ends included. */
    LINSPACE("linspace");

    private final String configName;

    TimestepSpacing(String configName) {
        this.configName = configName;
    }

    /** The spelling in diffusers' scheduler_config.json. */
    public String configName() {
        return configName;
    }

    /** The value for a config spelling; throws naming the accepted spellings otherwise. */
    public static TimestepSpacing fromConfigName(String name) {
        for (TimestepSpacing s : values()) {
            if (s.configName.equals(name)) return s;
        }
        throw new IllegalArgumentException("'" + name + "' is not supported (use leading, trailing or linspace)");
    }
}
