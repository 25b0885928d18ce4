package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.ModulePrefix;

import java.util.Collection;
import java.util.List;

/**
 * Names for a checkpoint's module paths in the three key styles the tools write (spec §4.1):
 * <ul>
 *   <li><b>kohya</b>: the component's prefix and the path inside the component, '.' → '_'
 *       ({@code unet.down_blocks.0.resnets.0.conv1} → {@code lora_unet_down_blocks_0_resnets_0_conv1});</li>
 *   <li><b>lycoris</b>: the generic wrapper's {@code lycoris_} and the whole path;</li>
 *   <li><b>peft</b>: the dotted path under diffusers' component names ({@code te1.} → {@code text_encoder.}),
 *       as diffusers' LoRA files key it ({@code <path>.lora_A.weight}).</li>
 * </ul>
 * The component roots are those {@link dev.lycoris4j.adapters.merge.NameResolver} resolves back: diffusers
 * ({@code unet.}, {@code transformer.}, {@code text_encoder.}, {@code text_encoder_2.}), short ({@code te.},
 * {@code te1.}, {@code te2.}) and LDM ({@code model.diffusion_model.}, {@code cond_stage_model.transformer.},
 * {@code conditioner.embedders.0.transformer.}). A DiT under {@code transformer.} gets {@code lora_unet_}, as
 * kohya names a DiT. Paths under no known root are named {@code lycoris_} + the whole path.
 */
public final class ModuleNaming {
    private record Root(String path, ModulePrefix prefix, String peftPath) {}

    // Longest first where one root starts another ("text_encoder_2." before "text_encoder.").
    private static final List<Root> ROOTS = List.of(
            new Root("model.diffusion_model.", ModulePrefix.UNET, "unet."),
            new Root("unet.", ModulePrefix.UNET, "unet."),
            new Root("transformer.", ModulePrefix.UNET, "transformer."),
            new Root("conditioner.embedders.0.transformer.", ModulePrefix.TEXT_ENCODER_1, "text_encoder."),
            new Root("cond_stage_model.transformer.", ModulePrefix.TEXT_ENCODER, "text_encoder."),
            new Root("text_encoder_2.", ModulePrefix.TEXT_ENCODER_2, "text_encoder_2."),
            new Root("text_encoder.", ModulePrefix.TEXT_ENCODER, "text_encoder."),
            new Root("te2.", ModulePrefix.TEXT_ENCODER_2, "text_encoder_2."),
            new Root("te1.", ModulePrefix.TEXT_ENCODER_1, "text_encoder."),
            new Root("te.", ModulePrefix.TEXT_ENCODER, "text_encoder."));

    private final boolean twoTextEncoders;

    private ModuleNaming(boolean twoTextEncoders) {
        this.twoTextEncoders = twoTextEncoders;
    }

    /**
     * Naming for the modules of one model, given all its tensor (or module) names: a model with a second text
     * encoder names its first one {@code lora_te1}, as kohya does for SDXL, and a single one {@code lora_te}.
     */
    public static ModuleNaming of(Collection<String> names) {
        boolean two = names.stream().anyMatch(n -> n.startsWith("text_encoder_2.") || n.startsWith("te2.")
                || n.startsWith("conditioner.embedders.1."));
        return new ModuleNaming(two);
    }

    /** The kohya-style module name of a dotted module path. */
    public String kohyaName(String modulePath) {
        Root root = rootOf(modulePath);
        if (root == null) return lycorisName(modulePath);
        ModulePrefix prefix = twoTextEncoders && root.path().equals("text_encoder.") ? ModulePrefix.TEXT_ENCODER_1 : root.prefix();
        return prefix.moduleName(modulePath.substring(root.path().length()));
    }

    /** The generic wrapper's name: {@code lycoris_} and the whole path. */
    public String lycorisName(String modulePath) {
        return ModulePrefix.LYCORIS.moduleName(modulePath);
    }

    /** The dotted path diffusers' LoRA files use: the component root renamed to diffusers' name. */
    public String peftPath(String modulePath) {
        Root root = rootOf(modulePath);
        return root == null ? modulePath : root.peftPath() + modulePath.substring(root.path().length());
    }

    private static Root rootOf(String modulePath) {
        for (Root r : ROOTS) {
            if (modulePath.startsWith(r.path()) && modulePath.length() > r.path().length()) return r;
        }
        return null;
    }
}
