package dev.lycoris4j.diffusion.load;

import dev.lycoris4j.core.checkpoint.TensorSource;
import dev.lycoris4j.core.safetensors.SafetensorsFile;

/**
 * The component prefixes of an original LDM (SD1.x/SD2.x) or SGM (SDXL) single-file checkpoint, and
 * the loading of each component's tensors by the diffusers names of the model being filled.
 */
public enum SingleFileLayout {
    SD1("cond_stage_model.transformer.", null),
    SD2("cond_stage_model.model.", null),
    SDXL("conditioner.embedders.0.transformer.", "conditioner.embedders.1.model.");

    public static final String UNET = "model.diffusion_model.";
    public static final String VAE = "first_stage_model.";

    private final String text1;
    private final String text2;

    SingleFileLayout(String text1, String text2) {
        this.text1 = text1;
        this.text2 = text2;
    }

    /** Recognises the layout from the keys; an unknown layout is an error naming what was found. */
    public static SingleFileLayout detect(SafetensorsFile f) {
        boolean unet = false, sd1 = false, sd2 = false, sdxl = false;
        for (String k : f.names()) {
            unet |= k.startsWith(UNET);
            sd1 |= k.startsWith(SD1.text1);
            sd2 |= k.startsWith(SD2.text1);
            sdxl |= k.startsWith(SDXL.text2);
        }
        if (!unet) {
            throw new IllegalArgumentException(f.path() + ": not an LDM/SGM single-file checkpoint (no "
                    + UNET + " keys); a diffusers model is a folder with model_index.json");
        }
        if (sdxl) return SDXL;
        if (sd2) return SD2;
        if (sd1) return SD1;
        throw new IllegalArgumentException(f.path() + ": UNet found but no known text-encoder prefix ("
                + SD1.text1 + ", " + SD2.text1 + ", " + SDXL.text2 + ")");
    }

    /** Prefix of the first text encoder (HF names for SD1/SDXL, OpenCLIP names for SD2). */
    public String textEncoderPrefix() {
        return text1;
    }

    /** Prefix of SDXL's second (OpenCLIP) text encoder, or null. */
    public String textEncoder2Prefix() {
        return text2;
    }

    /** Whether the first text encoder is stored with OpenCLIP names. */
    public boolean textEncoderIsOpenClip() {
        return this == SD2;
    }

    /** HF CLIP text names → this file's key for a text encoder stored with HF names under {@code prefix}. */
    static TensorSource hfText(SafetensorsFile f, String prefix, String name) {
        String key = prefix + name;
        // Very old SD1 files lack the text_model level.
        if (!f.contains(key) && name.startsWith("text_model.")) key = prefix + name.substring("text_model.".length());
        return TensorSource.of(key);
    }

    /** HF CLIP text names → OpenCLIP keys under {@code prefix} (q/k/v rows of in_proj, transposed projection). */
    static TensorSource openClipText(String prefix, String name) {
        if (name.equals("text_model.embeddings.token_embedding.weight")) return TensorSource.of(prefix + "token_embedding.weight");
        if (name.equals("text_model.embeddings.position_embedding.weight")) return TensorSource.of(prefix + "positional_embedding");
        if (name.startsWith("text_model.final_layer_norm.")) return TensorSource.of(prefix + "ln_final." + last(name));
        if (name.equals("text_projection.weight")) return TensorSource.transposed(prefix + "text_projection");
        String layerPrefix = "text_model.encoder.layers.";
        if (!name.startsWith(layerPrefix)) throw new IllegalArgumentException("no OpenCLIP name for " + name);
        String rest = name.substring(layerPrefix.length());
        int dot = rest.indexOf('.');
        String block = prefix + "transformer.resblocks." + rest.substring(0, dot) + ".";
        String inner = rest.substring(dot + 1);
        String kind = last(name);
        return switch (inner.substring(0, inner.lastIndexOf('.'))) {
            case "self_attn.q_proj" -> TensorSource.rows(block + "attn.in_proj_" + kind, 0, 3);
            case "self_attn.k_proj" -> TensorSource.rows(block + "attn.in_proj_" + kind, 1, 3);
            case "self_attn.v_proj" -> TensorSource.rows(block + "attn.in_proj_" + kind, 2, 3);
            case "self_attn.out_proj" -> TensorSource.of(block + "attn.out_proj." + kind);
            case "layer_norm1" -> TensorSource.of(block + "ln_1." + kind);
            case "layer_norm2" -> TensorSource.of(block + "ln_2." + kind);
            case "mlp.fc1" -> TensorSource.of(block + "mlp.c_fc." + kind);
            case "mlp.fc2" -> TensorSource.of(block + "mlp.c_proj." + kind);
            default -> throw new IllegalArgumentException("no OpenCLIP name for " + name);
        };
    }

    private static String last(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
