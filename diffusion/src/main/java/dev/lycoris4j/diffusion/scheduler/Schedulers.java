package dev.lycoris4j.diffusion.scheduler;

import java.util.List;
import java.util.Locale;

/** The samplers by the names the command line uses. */
public final class Schedulers {
    /** Every name {@link #create} accepts. */
    public static final List<String> NAMES = List.of("ddim", "euler", "dpmpp-2m", "dpmpp-2m-karras");

    private Schedulers() {}

    /**
     * A sampler of the given kind on the model's noise schedule. As with diffusers' {@code from_config}, the
     * config's timestep_spacing applies when it names one (SD pipelines' configs say 'leading'), otherwise the
     * sampler's own default; "dpmpp-2m" uses Karras σs only if the config asks for them.
     */
    public static Scheduler create(String name, SchedulerConfig config) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "ddim" -> new DdimScheduler(config);
            case "euler" -> new EulerDiscreteScheduler(config);
            case "dpmpp-2m" -> new DpmSolverMultistepScheduler(config);
            case "dpmpp-2m-karras" -> new DpmSolverMultistepScheduler(config.withUseKarrasSigmas(true));
            default -> throw new IllegalArgumentException(
                    "unknown scheduler '" + name + "': use one of " + String.join(", ", NAMES));
        };
    }
}
