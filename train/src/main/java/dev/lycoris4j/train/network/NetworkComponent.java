package dev.lycoris4j.train.network;

import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;

import java.util.ArrayList;
import java.util.List;

/**
 * One model part a network wraps.
 *
 * @param prefix the file-name prefix of its modules ({@code lora_te}, {@code lora_te1}, {@code lora_unet}, {@code lycoris})
 * @param role   which of the preset's targets apply (text-encoder or UNet ones)
 * @param root   its module tree
 * @param naming the module paths its file names use
 */
public record NetworkComponent(String prefix, Role role, Module root, ModuleNaming naming) {

    public enum Role { TEXT_ENCODER, UNET }

    /**
     * The kohya layout: text encoders prefixed {@code lora_te} (one) or {@code lora_te1}, {@code lora_te2}, ...
     * (several), then the UNet as {@code lora_unet}, with SGM names when {@code sgmNames} (SDXL).
     */
    public static List<NetworkComponent> kohya(List<? extends Module> textEncoders, UNet2DConditionModel unet,
                                               boolean sgmNames) {
        List<NetworkComponent> out = new ArrayList<>();
        for (int i = 0; i < textEncoders.size(); i++) {
            String prefix = textEncoders.size() == 1 ? "lora_te" : "lora_te" + (i + 1);
            out.add(new NetworkComponent(prefix, Role.TEXT_ENCODER, textEncoders.get(i), ModuleNaming.DIFFUSERS));
        }
        out.add(new NetworkComponent("lora_unet", Role.UNET, unet,
                sgmNames ? ModuleNaming.sgm(unet.config()) : ModuleNaming.DIFFUSERS));
        return out;
    }

    /** The text encoders and UNet of a loaded model; SDXL uses SGM names, as kohya's SDXL files do. */
    public static List<NetworkComponent> of(StableDiffusion sd) {
        List<Module> tes = sd.textEncoder2() == null ? List.of(sd.textEncoder()) : List.of(sd.textEncoder(), sd.textEncoder2());
        return kohya(tes, sd.unet(), sd.kind() == StableDiffusion.Kind.SDXL);
    }
}
