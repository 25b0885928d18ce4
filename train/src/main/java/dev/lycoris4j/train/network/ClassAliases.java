package dev.lycoris4j.train.network;

import java.util.Map;

/**
 * Class names as presets spell them, mapped to the names of our module classes. Presets were written
 * against kohya's, LDM/SGM's and older transformers' class names; our classes mirror today's diffusers
 * and transformers names, so a preset naming the old class must still select the same modules.
 *
 * <table>
 *   <caption>aliases</caption>
 *   <tr><th>preset name</th><th>our class</th><th>where the preset name comes from</th></tr>
 *   <tr><td>CrossAttention</td><td>Attention</td><td>kohya's UNets and diffusers ≤ 0.13 (presets attn-only)</td></tr>
 *   <tr><td>MemoryEfficientCrossAttention</td><td>Attention</td><td>SGM / LDM with xformers</td></tr>
 *   <tr><td>CLIPSdpaAttention, CLIPFlashAttention2</td><td>CLIPAttention</td><td>transformers picks the attention class by backend</td></tr>
 *   <tr><td>SpatialTransformer</td><td>Transformer2DModel</td><td>LDM / SGM</td></tr>
 *   <tr><td>ResBlock</td><td>ResnetBlock2D</td><td>LDM / SGM</td></tr>
 *   <tr><td>Downsample, Upsample</td><td>Downsample2D, Upsample2D</td><td>LDM / SGM</td></tr>
 *   <tr><td>GroupNorm32</td><td>GroupNorm</td><td>LDM / SGM / kohya's SDXL UNet</td></tr>
 * </table>
 */
public final class ClassAliases {
    private ClassAliases() {}

    private static final Map<String, String> ALIASES = Map.of(
            "CrossAttention", "Attention",
            "MemoryEfficientCrossAttention", "Attention",
            "CLIPSdpaAttention", "CLIPAttention",
            "CLIPFlashAttention2", "CLIPAttention",
            "SpatialTransformer", "Transformer2DModel",
            "ResBlock", "ResnetBlock2D",
            "Downsample", "Downsample2D",
            "Upsample", "Upsample2D",
            "GroupNorm32", "GroupNorm");

    /** The name of our class that {@code className} denotes (itself when it has no alias). */
    public static String canonical(String className) {
        return ALIASES.getOrDefault(className, className);
    }
}
