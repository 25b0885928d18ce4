package dev.lycoris4j.train.estimate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.train.network.NetworkConfig;

import java.util.Locale;

/**
 * {@code lycoris estimate}'s output: what was estimated and the result, as text for people or as JSON.
 *
 * @param architecture the architecture's name ({@code sd15} or a folder)
 * @param preset       the preset's name or file, with " (paper era)" when applied so
 * @param config       the network config estimated
 * @param estimate     the result
 */
public record EstimateReport(String architecture, String preset, NetworkConfig config, AdapterEstimate estimate) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String text() {
        AdapterConfig a = config.adapter();
        AdapterEstimate e = estimate;
        StringBuilder out = new StringBuilder();
        out.append(architecture).append(", ").append(a.algorithm().id()).append(hyperParameters()).append(", preset ").append(preset)
                .append(config.trainTextEncoder() ? ", text encoder + UNet" : ", UNet only")
                .append(config.trainNorm() ? ", norms trained" : "").append('\n');
        out.append(String.format(Locale.ROOT, "modules     %,d (text encoder %,d, UNet %,d)%n", e.modules(),
                e.textEncoderModules(), e.unetModules()));
        out.append(String.format(Locale.ROOT, "parameters  %,d trainable", e.parameters()));
        if (e.storedValues() != e.parameters()) {
            out.append(String.format(Locale.ROOT, " (%,d values stored with the alphas)", e.storedValues()));
        }
        out.append('\n');
        out.append(String.format(Locale.ROOT, "file        %,d bytes = %.2f MiB (ls -h: %s), %s safetensors without metadata%n",
                e.bytes(), e.mebibytes(), HumanSize.ls(e.bytes()), e.dtype().safetensorsName()));
        out.append(String.format(Locale.ROOT, "optimizer   AdamW %,d bytes = %.2f MiB, AdamW8bit %,d bytes = %.2f MiB (%.2f×)%n",
                e.adamWStateBytes(), HumanSize.mebibytes(e.adamWStateBytes()), e.adamW8bitStateBytes(),
                HumanSize.mebibytes(e.adamW8bitStateBytes()), e.adamW8bitStateBytes() / (double) e.adamWStateBytes()));
        return out.toString();
    }

    /** At least {@code modules}, {@code parameters} and {@code bytes}; the rest says what was estimated. */
    public String json() {
        AdapterConfig a = config.adapter();
        ObjectNode o = JSON.createObjectNode();
        o.put("architecture", architecture);
        o.put("algorithm", a.algorithm().id());
        o.put("preset", preset);
        o.put("dim", a.dim());
        o.put("alpha", a.alpha());
        o.put("conv_dim", config.convDim());
        o.put("conv_alpha", config.convAlpha());
        o.put("text_encoder", config.trainTextEncoder());
        o.put("train_norm", config.trainNorm());
        o.put("modules", estimate.modules());
        o.put("text_encoder_modules", estimate.textEncoderModules());
        o.put("unet_modules", estimate.unetModules());
        o.put("parameters", estimate.parameters());
        o.put("stored_values", estimate.storedValues());
        o.put("tensors", estimate.tensors());
        o.put("dtype", estimate.dtype().safetensorsName());
        o.put("bytes", estimate.bytes());
        o.put("size", HumanSize.ls(estimate.bytes()));
        o.put("adamw_state_bytes", estimate.adamWStateBytes());
        o.put("adamw8bit_state_bytes", estimate.adamW8bitStateBytes());
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex); // a tree of plain values always serialises
        }
    }

    /** The settings that shape this algorithm's tensors. */
    private String hyperParameters() {
        AdapterConfig a = config.adapter();
        String conv = ", conv dim " + config.convDim() + " alpha " + number(config.convAlpha());
        return switch (a.algorithm()) {
            case KRONA -> " a1 " + a.a1() + " a2 " + a.a2();
            case FULL, NORM, IA3 -> "";
            case LOKR -> " dim " + a.dim() + " alpha " + number(a.alpha()) + " factor " + a.factor() + conv;
            default -> " dim " + a.dim() + " alpha " + number(a.alpha()) + conv;
        };
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
