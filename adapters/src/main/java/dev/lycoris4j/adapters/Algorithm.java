package dev.lycoris4j.adapters;

import java.util.Locale;

/** The adapter algorithms, with the names LyCORIS and kohya use for them. */
public enum Algorithm {
    LORA("lora"),
    LOHA("loha"),
    LOKR("lokr"),
    DYLORA("dylora"),
    GLORA("glora"),
    IA3("ia3"),
    DIAG_OFT("diag-oft"),
    BOFT("boft"),
    FULL("full"),
    NORM("norm"),
    KRONA("krona");

    private final String id;

    Algorithm(String id) {
        this.id = id;
    }

    /** The name used in configs, on the command line and in {@code ss_network_args}. */
    public String id() {
        return id;
    }

    /** Parses a user or kohya name; {@code locon} is LoRA on convs, {@code kron} LoKr's module name. */
    public static Algorithm parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "lora", "locon" -> LORA;
            case "loha" -> LOHA;
            case "lokr", "kron" -> LOKR;
            case "dylora" -> DYLORA;
            case "glora" -> GLORA;
            case "ia3" -> IA3;
            case "diag-oft", "oft" -> DIAG_OFT;
            case "boft" -> BOFT;
            case "full", "native", "diff" -> FULL;
            case "norm", "train-norm" -> NORM;
            case "krona", "diffusekrona" -> KRONA;
            default -> throw new IllegalArgumentException("unknown algorithm '" + name
                    + "': use lora, loha, lokr, dylora, glora, ia3, diag-oft, boft, full, norm or krona");
        };
    }
}
