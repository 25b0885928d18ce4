package dev.lycoris4j.cli;

import dev.lycoris4j.adapters.merge.MergeReport;
import dev.lycoris4j.adapters.merge.MergeReport.AdapterReport;
import dev.lycoris4j.adapters.merge.MergeReport.Match;
import dev.lycoris4j.adapters.merge.MergeReport.Miss;

/** {@code lycoris merge}'s report: every adapter module, matched or not. */
final class MergeOutput {
    private MergeOutput() {}

    static String text(MergeReport r) {
        StringBuilder out = new StringBuilder();
        out.append("base: ").append(r.base()).append('\n');
        for (AdapterReport a : r.adapters()) {
            int total = a.matched().size() + a.unmatched().size();
            out.append("adapter ").append(a.file()).append(" at scale ").append(a.scale()).append(": ")
                    .append(a.matched().size()).append(" of ").append(total).append(" modules matched\n");
            for (Match m : a.matched()) {
                out.append("  ").append(m.module()).append(" (").append(m.algorithm().id()).append(") -> ")
                        .append(m.weightKey()).append(m.viaAlias() ? "  [other UNet naming]" : "").append('\n');
            }
            for (Miss m : a.unmatched()) {
                out.append("  UNMATCHED ").append(m.module()).append(": ").append(m.reason()).append('\n');
            }
        }
        out.append("wrote ").append(r.output()).append(": ").append(r.changedTensors().size()).append(" tensors changed, ")
                .append(r.copiedTensors()).append(" copied unchanged");
        if (r.outputDtype() == null) out.append(" (dtypes kept)\n");
        else out.append(", ").append(r.convertedTensors()).append(" converted to ").append(r.outputDtype().safetensorsName()).append('\n');
        if (!r.allMatched()) out.append("warning: some adapter modules were not merged (see UNMATCHED above)\n");
        return out.toString();
    }
}
