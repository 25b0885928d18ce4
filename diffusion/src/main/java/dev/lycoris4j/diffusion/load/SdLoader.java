package dev.lycoris4j.diffusion.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lycoris4j.core.checkpoint.CheckpointFill;
import dev.lycoris4j.core.checkpoint.TensorSource;
import dev.lycoris4j.core.naming.UnetNaming;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.scheduler.SchedulerConfig;
import dev.lycoris4j.diffusion.text.ClipTextConfig;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.tokenizer.ClipTokenizer;
import dev.lycoris4j.diffusion.tokenizer.ClipTokenizerConfig;
import dev.lycoris4j.diffusion.tokenizer.TokenizerFileException;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.diffusion.unet.UNetConfig;
import dev.lycoris4j.diffusion.vae.AutoencoderKL;
import dev.lycoris4j.diffusion.vae.VaeConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Loads Stable Diffusion 1.x/2.x/XL from a diffusers folder ({@code model_index.json} + component
 * folders) or from an original single-file {@code .safetensors} (LDM/SGM layout). Pickle checkpoints
 * are refused: unpickling runs arbitrary code.
 */
public final class SdLoader {
    private SdLoader() {}

    /**
     * @param tokenizer  a diffusers tokenizer folder or open_clip's {@code bpe_simple_vocab_16e6.txt.gz}, for single
     *                   files (which carry no tokenizer); null looks for a {@code tokenizer/} folder beside the file
     * @param configs    a diffusers folder whose component {@code config.json}s describe the single file's
     *                   architecture (like diffusers' {@code from_single_file(config=...)}); null infers it from the
     *                   tensors' shapes and a same-named {@code .yaml} beside the file
     * @param placement  device and dtype of the loaded weights
     * @param progress   receives one line per loaded component
     */
    public record Options(Path tokenizer, Path configs, Placement placement, Consumer<String> progress) {
        public static Options defaults() {
            return new Options(null, null, Placement.cpu(), s -> {});
        }

        public Options withTokenizer(Path t) { return new Options(t, configs, placement, progress); }
        public Options withConfigs(Path c) { return new Options(tokenizer, c, placement, progress); }
        public Options withPlacement(Placement p) { return new Options(tokenizer, configs, p, progress); }
        public Options withProgress(Consumer<String> p) { return new Options(tokenizer, configs, placement, p); }
    }

    public static StableDiffusion load(Path path, Options o) {
        if (Files.isDirectory(path)) return loadFolder(path, o);
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException("model not found: " + path);
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".ckpt") || name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin")
                || name.endsWith(".pkl")) {
            throw new IllegalArgumentException(path + " is a pickle checkpoint, which lycoris4j never loads because "
                    + "unpickling can execute code. Convert it once with Python: import torch, safetensors.torch as st; "
                    + "sd = torch.load('" + path.getFileName() + "', map_location='cpu', weights_only=True); "
                    + "st.save_file({k: v.contiguous() for k, v in sd.get('state_dict', sd).items() "
                    + "if hasattr(v, 'contiguous')}, 'model.safetensors')");
        }
        if (!name.endsWith(".safetensors")) {
            throw new IllegalArgumentException(path + ": unknown model format (expected a diffusers folder or a .safetensors file)");
        }
        return loadSingleFile(path, o);
    }

    private static StableDiffusion loadFolder(Path dir, Options o) {
        if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
            throw new IllegalArgumentException(dir + " is not a diffusers model folder (no model_index.json)");
        }
        Placement p = o.placement();
        UNetConfig uc = UNetConfig.read(dir.resolve("unet/config.json"));
        boolean xl = Files.isDirectory(dir.resolve("text_encoder_2"));
        StableDiffusion.Kind kind = xl ? StableDiffusion.Kind.SDXL
                : uc.crossAttentionDim() == 1024 ? StableDiffusion.Kind.SD2 : StableDiffusion.Kind.SD1;
        ClipTextModel te = text(dir.resolve("text_encoder"), p, o);
        ClipTextModel te2 = xl ? text(dir.resolve("text_encoder_2"), p, o) : null;
        UNet2DConditionModel unet = new UNet2DConditionModel(uc, p);
        Weights.load(unet, firstExisting(dir.resolve("unet"), "diffusion_pytorch_model.safetensors", "model.safetensors"));
        o.progress().accept("loaded unet");
        AutoencoderKL vae = new AutoencoderKL(VaeConfig.read(dir.resolve("vae/config.json")), p);
        Weights.load(vae, firstExisting(dir.resolve("vae"), "diffusion_pytorch_model.safetensors", "model.safetensors"));
        o.progress().accept("loaded vae");
        ClipTokenizer tok = tokenizer(dir.resolve("tokenizer"));
        ClipTokenizer tok2 = xl ? tokenizer(dir.resolve("tokenizer_2")) : null;
        return new StableDiffusion(kind, tok, te, tok2, te2, unet, vae, scheduler(dir.resolve("scheduler/scheduler_config.json")));
    }

    private static ClipTextModel text(Path dir, Placement p, Options o) {
        ClipTextModel m = new ClipTextModel(ClipTextConfig.read(dir.resolve("config.json")), p);
        // position_ids is a buffer older transformers saved; newer ones flatten away the text_model level.
        boolean flat = !m.stateDict().isEmpty() && hasFlatTextKeys(dir);
        Weights.load(m, firstExisting(dir, "model.safetensors", "diffusion_pytorch_model.safetensors"),
                k -> k.endsWith("position_ids") ? null : flat && !k.startsWith("text_projection") ? "text_model." + k : k);
        o.progress().accept("loaded " + dir.getFileName());
        return m;
    }

    private static boolean hasFlatTextKeys(Path dir) {
        try (SafetensorsFile f = SafetensorsFile.open(firstExisting(dir, "model.safetensors", "diffusion_pytorch_model.safetensors"))) {
            return f.contains("embeddings.token_embedding.weight");
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static StableDiffusion loadSingleFile(Path file, Options o) {
        Placement p = o.placement();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            SingleFileLayout layout = SingleFileLayout.detect(f);
            JsonNode yaml = yaml(file);
            JsonNode yamlModel = yaml == null ? null : yaml.path("model").path("params");
            JsonNode yamlUnet = yamlModel == null ? null : yamlModel.path("unet_config").path("params");

            ClipTextConfig tc;
            ClipTextConfig tc2 = null;
            UNetConfig uc;
            VaeConfig vc;
            if (o.configs() != null) {
                tc = ClipTextConfig.read(o.configs().resolve("text_encoder/config.json"));
                if (layout == SingleFileLayout.SDXL) tc2 = ClipTextConfig.read(o.configs().resolve("text_encoder_2/config.json"));
                uc = UNetConfig.read(o.configs().resolve("unet/config.json"));
                vc = VaeConfig.read(o.configs().resolve("vae/config.json"));
            } else {
                tc = layout.textEncoderIsOpenClip()
                        ? ArchitectureInference.openClipText(f, layout.textEncoderPrefix(), false)
                        : ArchitectureInference.hfText(f, layout.textEncoderPrefix());
                if (layout == SingleFileLayout.SDXL) tc2 = ArchitectureInference.openClipText(f, layout.textEncoder2Prefix(), true);
                uc = ArchitectureInference.unet(f, layout, yamlUnet, yamlModel, tc2 == null ? 0 : tc2.projectionDim());
                vc = ArchitectureInference.vae(f, layout, yamlModel);
            }

            ClipTextModel te = new ClipTextModel(tc, p);
            String prefix = layout.textEncoderPrefix();
            CheckpointFill.fill(f, te, layout.textEncoderIsOpenClip()
                    ? n -> SingleFileLayout.openClipText(prefix, n)
                    : n -> SingleFileLayout.hfText(f, prefix, n));
            o.progress().accept("loaded text encoder");
            ClipTextModel te2 = null;
            if (tc2 != null) {
                te2 = new ClipTextModel(tc2, p);
                CheckpointFill.fill(f, te2, n -> SingleFileLayout.openClipText(layout.textEncoder2Prefix(), n));
                o.progress().accept("loaded text encoder 2");
            }
            UNet2DConditionModel unet = new UNet2DConditionModel(uc, p);
            UnetNaming naming = uc.naming();
            CheckpointFill.fill(f, unet, n -> TensorSource.of(SingleFileLayout.UNET + naming.ldmKey(n)));
            o.progress().accept("loaded unet");
            AutoencoderKL vae = new AutoencoderKL(vc, p);
            int levels = vc.blockOutChannels().length;
            // LDM's 1×1-conv attention projections are reshaped to the VAE's Linears by TensorSource.
            CheckpointFill.fill(f, vae, n -> TensorSource.of(SingleFileLayout.VAE + LdmNames.vae(n, levels)));
            o.progress().accept("loaded vae");

            Path tokPath = o.tokenizer() != null ? o.tokenizer() : file.resolveSibling("tokenizer");
            if (!Files.exists(tokPath)) {
                throw new IllegalArgumentException(file + ": a single-file checkpoint carries no tokenizer; give one "
                        + "(a diffusers tokenizer folder or open_clip's bpe_simple_vocab_16e6.txt.gz)");
            }
            // One CLIP vocabulary serves every encoder; they differ in padding (SD2 and SDXL's second pad with "!").
            ClipTokenizer base = tokenizer(tokPath);
            ClipTokenizer tok = base.withConfig(layout == SingleFileLayout.SD2
                    ? ClipTokenizerConfig.sdxlTokenizer2() : ClipTokenizerConfig.sd1());
            ClipTokenizer tok2 = layout == SingleFileLayout.SDXL ? base.withConfig(ClipTokenizerConfig.sdxlTokenizer2()) : null;
            StableDiffusion.Kind kind = switch (layout) {
                case SD1 -> StableDiffusion.Kind.SD1;
                case SD2 -> StableDiffusion.Kind.SD2;
                case SDXL -> StableDiffusion.Kind.SDXL;
            };
            SchedulerConfig sc = o.configs() != null && Files.exists(o.configs().resolve("scheduler/scheduler_config.json"))
                    ? scheduler(o.configs().resolve("scheduler/scheduler_config.json"))
                    : SchedulerConfig.stableDiffusion();
            return new StableDiffusion(kind, tok, te, tok2, te2, unet, vae, sc);
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static ClipTokenizer tokenizer(Path path) {
        try {
            return Files.isDirectory(path) ? ClipTokenizer.fromDiffusersFolder(path) : ClipTokenizer.fromOpenClipBpe(path);
        } catch (TokenizerFileException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static SchedulerConfig scheduler(Path file) {
        try {
            return SchedulerConfig.read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode yaml(Path checkpoint) {
        String n = checkpoint.getFileName().toString();
        Path y = checkpoint.resolveSibling(n.substring(0, n.lastIndexOf('.')) + ".yaml");
        if (!Files.isRegularFile(y)) return null;
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(y.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(y + ": invalid YAML: " + e.getMessage(), e);
        }
    }

    private static Path firstExisting(Path dir, String... names) {
        for (String n : names) if (Files.isRegularFile(dir.resolve(n))) return dir.resolve(n);
        throw new IllegalArgumentException(dir + ": none of " + String.join(", ", names) + " found");
    }
}
