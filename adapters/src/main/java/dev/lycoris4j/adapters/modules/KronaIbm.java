package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The IBM DiffuseKronA checkpoint layout (evaluation-reference §4.5), per module: {@code down.weight} =
 * Aᵀ of shape (a2, a1) and {@code up.weight} = B of shape (d_out/a1, d_in/a2), against our
 * {@code krona_a} = A (a1, a2) and {@code krona_b} = B; and the IBM key names against module paths.
 * Reading and writing whole files is the file layer's job; this is the per-module mapping only.
 *
 * <p>Keys: UNet {@code unet.<attention path>.processor.<to_q|to_k|to_v|to_out>_lora.<down|up>.weight}
 * for the module {@code <attention path>.<to_q|to_k|to_v|to_out.0>}; text encoders
 * {@code <text_encoder|text_encoder_2>.<path>.lora_linear_layer.<down|up>.weight} for the module
 * {@code <path>} (e.g. {@code text_model.encoder.layers.0.self_attn.q_proj}).
 */
public final class KronaIbm {
    private KronaIbm() {}

    public static final String DOWN = "down.weight";
    public static final String UP = "up.weight";

    private static final Pattern UNET = Pattern.compile(
            "unet\\.(.+)\\.processor\\.(to_q|to_k|to_v|to_out)_lora\\.(down|up)\\.weight");
    private static final Pattern TEXT = Pattern.compile(
            "(text_encoder(?:_2)?)\\.(.+)\\.lora_linear_layer\\.(down|up)\\.weight");

    /**
     * One IBM key: the model part ({@code unet}, {@code text_encoder}, {@code text_encoder_2}), the adapted
     * module's path inside it, and which tensor ({@link #DOWN} or {@link #UP}).
     */
    public record Key(String component, String modulePath, String tensor) {}

    /** Parses an IBM key; fails naming the key when it has neither form. */
    public static Key parseKey(String key) {
        Matcher m = UNET.matcher(key);
        if (m.matches()) {
            String proj = m.group(2).equals("to_out") ? "to_out.0" : m.group(2);
            return new Key("unet", m.group(1) + "." + proj, m.group(3) + ".weight");
        }
        m = TEXT.matcher(key);
        if (m.matches()) return new Key(m.group(1), m.group(2), m.group(3) + ".weight");
        throw new IllegalArgumentException("'" + key + "' is not a DiffuseKronA key: expected unet.<path>.processor."
                + "<to_q|to_k|to_v|to_out>_lora.<down|up>.weight or text_encoder[_2].<path>.lora_linear_layer.<down|up>.weight");
    }

    /** The IBM key of {@code tensor} ({@link #DOWN} or {@link #UP}) for a module; inverse of {@link #parseKey}. */
    public static String key(Key k) {
        if (!k.tensor().equals(DOWN) && !k.tensor().equals(UP)) {
            throw new IllegalArgumentException("DiffuseKronA tensors are " + DOWN + " and " + UP + ", not " + k.tensor());
        }
        if (k.component().equals("unet")) {
            Matcher m = Pattern.compile("(.+)\\.(to_q|to_k|to_v|to_out\\.0)").matcher(k.modulePath());
            if (!m.matches()) {
                throw new IllegalArgumentException("UNet module '" + k.modulePath()
                        + "' is not an attention projection (…to_q, to_k, to_v or to_out.0)");
            }
            String proj = m.group(2).equals("to_out.0") ? "to_out" : m.group(2);
            return "unet." + m.group(1) + ".processor." + proj + "_lora." + k.tensor();
        }
        if (k.component().equals("text_encoder") || k.component().equals("text_encoder_2")) {
            return k.component() + "." + k.modulePath() + ".lora_linear_layer." + k.tensor();
        }
        throw new IllegalArgumentException("unknown DiffuseKronA model part '" + k.component()
                + "': unet, text_encoder or text_encoder_2");
    }

    /** Our tensors ({@code krona_a}, {@code krona_b}) in the IBM layout: {@code down.weight} = Aᵀ, {@code up.weight} = B. */
    public static Map<String, Tensor> toIbm(Map<String, Tensor> ours) {
        Tensor a = ours.get(KronaAdapter.KEY_A), b = ours.get(KronaAdapter.KEY_B);
        if (a == null || b == null || a.dim() != 2) {
            throw new IllegalArgumentException("DiffuseKronA tensors need 2-D " + KronaAdapter.KEY_A + " and "
                    + KronaAdapter.KEY_B + ", got " + ours.keySet());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(DOWN, a.t().contiguous());
        out.put(UP, b);
        return out;
    }

    /** IBM tensors ({@code down.weight} (a2, a1), {@code up.weight}) as ours: {@code krona_a} = downᵀ, {@code krona_b} = up. */
    public static Map<String, Tensor> fromIbm(String module, Map<String, Tensor> ibm) {
        Tensor down = ibm.get(DOWN), up = ibm.get(UP);
        if (down == null || up == null || ibm.size() != 2 || down.dim() != 2 || up.dim() != 2) {
            throw new IllegalArgumentException("module " + module + " (krona): IBM layout needs exactly 2-D " + DOWN
                    + " (a2, a1) and " + UP + " (out/a1, in/a2), got "
                    + ibm.entrySet().stream().map(e -> e.getKey() + " " + Tensors.shapeString(e.getValue())).toList());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(KronaAdapter.KEY_A, down.t().contiguous());
        out.put(KronaAdapter.KEY_B, up);
        return out;
    }
}
