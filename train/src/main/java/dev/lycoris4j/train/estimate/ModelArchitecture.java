package dev.lycoris4j.train.estimate;

import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.diffusion.model.Architectures;
import dev.lycoris4j.diffusion.text.ClipTextConfig;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.diffusion.unet.UNetConfig;
import dev.lycoris4j.train.network.NetworkComponent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a Stable Diffusion model a network wraps, as configs: the text encoders and the UNet. Built
 * on the meta device they have every layer's shape and no storage, so a full-size SDXL costs no memory.
 *
 * @param name         for display ("sd15", or the folder)
 * @param textEncoders one (SD1.x/SD2.x) or two (SDXL) text-encoder configs
 * @param unet         the UNet config
 * @param sgmNames     module names as kohya's SDXL files write them (SGM paths) instead of diffusers paths
 */
public record ModelArchitecture(String name, List<ClipTextConfig> textEncoders, UNetConfig unet, boolean sgmNames) {

    public ModelArchitecture {
        textEncoders = List.copyOf(textEncoders);
    }

    /** SD 1.5: CLIP ViT-L/14 text encoder and the SD1.x UNet. */
    public static ModelArchitecture sd15() {
        return new ModelArchitecture("sd15", List.of(Architectures.clipL()), Architectures.sd15Unet(), false);
    }

    /** SD 2.1: OpenCLIP ViT-H/14 text (23 layers, as diffusers converts it) and the SD2.x UNet. */
    public static ModelArchitecture sd21() {
        return new ModelArchitecture("sd21", List.of(Architectures.openClipH()), Architectures.sd21Unet(), false);
    }

    /** SDXL base 1.0: CLIP-L and OpenCLIP-bigG text encoders and the SDXL UNet, with SGM names. */
    public static ModelArchitecture sdxl() {
        return new ModelArchitecture("sdxl", List.of(Architectures.clipL(), Architectures.openClipBigG()),
                Architectures.sdxlUnet(), true);
    }

    /** {@code sd15}, {@code sd21}, {@code sdxl}, or else a diffusers model folder whose configs are read. */
    public static ModelArchitecture resolve(String nameOrFolder) {
        return switch (nameOrFolder) {
            case "sd15" -> sd15();
            case "sd21" -> sd21();
            case "sdxl" -> sdxl();
            default -> fromDiffusersFolder(Path.of(nameOrFolder));
        };
    }

    /**
     * The architecture of a diffusers folder from its {@code unet/}, {@code text_encoder/} and (SDXL)
     * {@code text_encoder_2/} {@code config.json} files; no weights are read.
     */
    public static ModelArchitecture fromDiffusersFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("unknown architecture '" + dir + "': use sd15, sd21, sdxl or a diffusers model folder");
        }
        UNetConfig unet = UNetConfig.read(requireFile(dir, "unet/config.json"));
        List<ClipTextConfig> tes = new ArrayList<>();
        tes.add(ClipTextConfig.read(requireFile(dir, "text_encoder/config.json")));
        boolean xl = Files.isDirectory(dir.resolve("text_encoder_2"));
        if (xl) tes.add(ClipTextConfig.read(requireFile(dir, "text_encoder_2/config.json")));
        return new ModelArchitecture(dir.toString(), tes, unet, xl);
    }

    private static Path requireFile(Path dir, String relative) {
        Path p = dir.resolve(relative);
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException(dir + " is not a diffusers model folder: no " + relative);
        return p;
    }

    /** The text encoders and UNet built on the meta device, as network components with kohya's prefixes. */
    public List<NetworkComponent> buildMeta() {
        List<ClipTextModel> tes = new ArrayList<>();
        for (ClipTextConfig c : textEncoders) tes.add(new ClipTextModel(c, Placement.meta()));
        return NetworkComponent.kohya(tes, new UNet2DConditionModel(unet, Placement.meta()), sgmNames);
    }
}
