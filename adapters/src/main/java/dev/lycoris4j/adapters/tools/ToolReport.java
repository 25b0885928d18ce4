package dev.lycoris4j.adapters.tools;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code extract}, {@code convert} or {@code merge --combine} wrote: every module with the change it
 * stands for and how far the stored form is from it, every module left out with the reason, and general notes.
 *
 * @param written the modules in the output, in file order
 * @param skipped the modules left out
 * @param notes   other findings, one line each (unchanged modules, tensors that belong to no module, ...)
 */
public record ToolReport(Path output, List<ModuleResult> written, List<Skipped> skipped, List<String> notes) {

    public ToolReport {
        written = List.copyOf(written);
        skipped = List.copyOf(skipped);
        notes = List.copyOf(notes);
    }

    /** How a module is stored. */
    public enum Storage {
        /** {@code lora_up}/{@code lora_down}[/{@code lora_mid}]: a truncated SVD. */
        LORA,
        /** {@code diff}[/{@code diff_b}]: the change itself. */
        FULL,
        /** {@code w_norm}[/{@code b_norm}]: a norm layer's change. */
        NORM;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param name      the module name in the output
     * @param source    where it came from: the checkpoint module path (extract) or the algorithms (convert, combine)
     * @param rank      the LoRA rank, 0 for the other storages
     * @param deltaNorm ‖ΔW‖_F of the change the module should stand for
     * @param errorNorm ‖ΔW − stored‖_F, measured on the tensors as written (after the cast to the output dtype)
     * @param notes     what else happened to this module (a dropped bias change, a sparse residual, ...)
     */
    public record ModuleResult(String name, String source, Storage storage, long rank, double deltaNorm,
                               double errorNorm, List<String> notes) {
        public ModuleResult {
            notes = List.copyOf(notes);
        }

        /** ‖ΔW − stored‖ / ‖ΔW‖, 0 for a zero change stored exactly. */
        public double relativeError() {
            return deltaNorm == 0 ? (errorNorm == 0 ? 0 : Double.POSITIVE_INFINITY) : errorNorm / deltaNorm;
        }
    }

    public record Skipped(String name, String reason) {}

    /** √(Σ errors²) / √(Σ ‖ΔW‖²) over every written module: the relative error of the whole file. */
    public double totalRelativeError() {
        double error = 0;
        double delta = 0;
        for (ModuleResult m : written) {
            error += m.errorNorm() * m.errorNorm();
            delta += m.deltaNorm() * m.deltaNorm();
        }
        return delta == 0 ? 0 : Math.sqrt(error / delta);
    }

    /** A human-readable report, one module per line. */
    public String text() {
        StringBuilder out = new StringBuilder();
        Map<Storage, Integer> counts = new EnumMap<>(Storage.class);
        for (ModuleResult m : written) counts.merge(m.storage(), 1, Integer::sum);
        for (ModuleResult m : written) {
            out.append("  ").append(m.name()).append("  <- ").append(m.source()).append("  ").append(m.storage().id());
            if (m.storage() == Storage.LORA) out.append(" r=").append(m.rank());
            out.append(String.format(Locale.ROOT, "  relative error %.3e", m.relativeError()));
            if (!m.notes().isEmpty()) out.append("  (").append(String.join("; ", m.notes())).append(')');
            out.append('\n');
        }
        for (Skipped s : skipped) out.append("  SKIPPED ").append(s.name()).append(": ").append(s.reason()).append('\n');
        for (String n : notes) out.append("note: ").append(n).append('\n');
        out.append("wrote ").append(output).append(": ").append(written.size()).append(" modules");
        if (!counts.isEmpty()) {
            StringBuilder parts = new StringBuilder();
            counts.forEach((s, c) -> parts.append(parts.isEmpty() ? "" : ", ").append(c).append(' ').append(s.id()));
            out.append(" (").append(parts).append(')');
        }
        out.append(String.format(Locale.ROOT, ", total relative error %.3e", totalRelativeError()));
        if (!skipped.isEmpty()) out.append(", ").append(skipped.size()).append(" skipped");
        return out.append('\n').toString();
    }
}
