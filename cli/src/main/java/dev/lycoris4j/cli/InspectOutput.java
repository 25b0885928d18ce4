package dev.lycoris4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.adapters.io.AdapterSummary;
import dev.lycoris4j.adapters.io.AdapterSummary.ModuleSummary;
import dev.lycoris4j.adapters.io.AdapterSummary.Stored;
import dev.lycoris4j.adapters.io.UnrecognizedModule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code lycoris inspect}'s two renderings of an {@link AdapterSummary}: text for people, JSON per docs/cli.md. */
final class InspectOutput {
    private InspectOutput() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static String text(AdapterSummary s) {
        StringBuilder out = new StringBuilder();
        out.append(s.file()).append(": ").append(s.modules().size()).append(" modules, ")
                .append(String.format("%,d", s.parameters())).append(" parameters\n");
        for (ModuleSummary m : s.modules()) {
            out.append("  ").append(m.name()).append('\n');
            out.append("      ").append(m.algorithm().id()).append("  ").append(m.dtypes()).append("  ")
                    .append(String.format("%,d", m.parameters())).append(" params  ").append(hyper(m)).append('\n');
            out.append("      ").append(shapes(m.tensors())).append('\n');
            if (m.error() != null) out.append("      cannot rebuild: ").append(m.error()).append('\n');
        }
        List<String> counts = new ArrayList<>();
        for (Map.Entry<Algorithm, Integer> e : s.algorithmCounts().entrySet()) counts.add(e.getValue() + " " + e.getKey().id());
        out.append("totals: ").append(s.modules().size()).append(" modules (").append(String.join(", ", counts))
                .append("), ").append(String.format("%,d", s.parameters())).append(" parameters\n");
        if (!s.unrecognized().isEmpty()) {
            out.append("keys that form no module (kept, not applied):\n");
            for (UnrecognizedModule u : s.unrecognized()) {
                out.append("  ").append(u.name()).append(" (").append(u.keys().size()).append(" keys): ")
                        .append(u.reason()).append('\n');
            }
        }
        out.append("metadata:").append(s.metadata().isEmpty() ? " none\n" : "\n");
        for (Map.Entry<String, String> e : s.metadata().entrySet()) {
            out.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        return out.toString();
    }

    /** Hyper-parameters as {@code key=value}, the layer last since it is the longest. */
    private static String hyper(ModuleSummary m) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Object> e : m.hyperParameters().entrySet()) {
            if (!e.getKey().equals("layer")) parts.add(e.getKey() + "=" + value(e.getValue()));
        }
        Object layer = m.hyperParameters().get("layer");
        if (layer != null) parts.add("layer=" + layer);
        return String.join(" ", parts);
    }

    private static String value(Object v) {
        return v instanceof long[] a ? Arrays.toString(a) : String.valueOf(v);
    }

    private static String shapes(Map<String, Stored> tensors) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Stored> e : tensors.entrySet()) parts.add(e.getKey() + Arrays.toString(e.getValue().shape()));
        return String.join(" ", parts);
    }

    static String json(AdapterSummary s) throws Exception {
        ObjectNode root = JSON.createObjectNode();
        root.put("file", s.file().toString());
        ArrayNode modules = root.putArray("modules");
        for (ModuleSummary m : s.modules()) {
            ObjectNode n = modules.addObject();
            n.put("name", m.name());
            n.put("prefix", m.prefix().id());
            n.put("algorithm", m.algorithm().id());
            n.put("dtype", m.dtypes());
            n.put("parameters", m.parameters());
            ObjectNode tensors = n.putObject("tensors");
            for (Map.Entry<String, Stored> e : m.tensors().entrySet()) {
                ObjectNode t = tensors.putObject(e.getKey());
                t.put("dtype", e.getValue().dtype().safetensorsName());
                ArrayNode shape = t.putArray("shape");
                for (long d : e.getValue().shape()) shape.add(d);
            }
            n.set("hyper_parameters", JSON.valueToTree(m.hyperParameters()));
            if (m.error() != null) n.put("error", m.error());
        }
        ArrayNode unrecognized = root.putArray("unrecognized");
        for (UnrecognizedModule u : s.unrecognized()) {
            ObjectNode n = unrecognized.addObject();
            n.put("name", u.name());
            ArrayNode keys = n.putArray("keys");
            u.keys().forEach(keys::add);
            n.put("reason", u.reason());
        }
        root.put("parameters", s.parameters());
        ObjectNode algorithms = root.putObject("algorithms");
        s.algorithmCounts().forEach((a, c) -> algorithms.put(a.id(), c));
        ObjectNode metadata = root.putObject("metadata");
        s.metadata().forEach(metadata::put);
        return JSON.writeValueAsString(root) + "\n";
    }
}
