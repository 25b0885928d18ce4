package dev.lycoris4j.eval.analysis;

/**
 * One training configuration: a row of the reference's {@code config_mapping.csv}
 * ({@code Config,Algo,Preset,Lr,Dim,Alpha,Factor,Caption}); NaN where the table says N/A (full fine-tuning
 * has no dim, LoRA no factor).
 */
public record Config(String name, String algo, String preset, double lr, double dim, double alpha, double factor,
                     String caption) {

    /** Algorithm name of full fine-tuning (the reference's "nt" runs). */
    public static final String FULL = "full";

    public boolean isFullFineTuning() {
        return algo.equals(FULL);
    }
}
