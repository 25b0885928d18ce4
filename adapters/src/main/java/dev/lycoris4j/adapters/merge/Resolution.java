package dev.lycoris4j.adapters.merge;

import java.util.List;

/** Where an adapter module lands in a checkpoint, or why it lands nowhere. */
public sealed interface Resolution {

    /** The adapter module name as the file spells it. */
    String moduleName();

    /**
     * Found exactly one module.
     *
     * @param modulePath the checkpoint's dotted module path; its tensors are {@code modulePath + ".weight"} and {@code ".bias"}
     * @param viaAlias   true when it matched the module's other UNet spelling (diffusers ↔ LDM), not its own
     */
    record Resolved(String moduleName, String modulePath, boolean viaAlias) implements Resolution {}

    /** Why nothing (or more than one thing) matched; {@code candidates} lists them for an ambiguity. */
    record Unresolved(String moduleName, Reason reason, String detail, List<String> candidates) implements Resolution {
        public Unresolved {
            candidates = List.copyOf(candidates);
        }

        /** One line for reports. */
        public String message() {
            return switch (reason) {
                case UNKNOWN_PREFIX -> "unknown prefix: " + detail;
                case NOT_FOUND -> "no matching module in the checkpoint: " + detail;
                case AMBIGUOUS -> "ambiguous, matches " + String.join(", ", candidates);
            };
        }
    }

    enum Reason { UNKNOWN_PREFIX, NOT_FOUND, AMBIGUOUS }
}
