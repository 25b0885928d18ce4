package dev.lycoris4j.train.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.io.AtomicFiles;
import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.core.nn.Module;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.diffusion.text.ClipTextConfig;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.diffusion.unet.UNetConfig;
import dev.lycoris4j.diffusion.vae.AutoencoderKL;
import dev.lycoris4j.diffusion.vae.VaeConfig;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model {@code lycoris train} uses when given none: an SD 1.x-architecture diffusers folder with the golden
 * tiny models' shapes (UNet widths 32/64 with cross-attention width 32, a 4-level VAE of width 32/64, a 3-layer
 * CLIP text encoder of width 32) and PyTorch's default initialisation drawn from a fixed seed, so it is the same
 * model on every machine. Its tokenizer is CLIP's byte-level BPE with no merges (every character a token), a
 * 514-token vocabulary instead of CLIP's 1.5 MB one. Written as a diffusers folder, it loads like any model and
 * {@code inspect}, {@code merge} and {@code generate} work on it and on adapters trained on it.
 */
public final class TinyModel {
    private TinyModel() {}

    /** The seed of the weights. */
    public static final long SEED = 1;
    private static final String RESOURCES = "tiny-model/";
    private static final List<String> CONFIGS = List.of("scheduler/scheduler_config.json", "text_encoder/config.json",
            "unet/config.json", "vae/config.json", "tokenizer/tokenizer_config.json");
    /** Written last: its presence marks a complete folder. */
    private static final String INDEX = "model_index.json";

    /** Writes the model into {@code dir} unless a complete one is already there; returns {@code dir}. */
    public static Path build(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(INDEX))) return dir;
        for (String config : CONFIGS) copyResource(config, dir.resolve(config));
        writeTokenizer(dir.resolve("tokenizer"));
        try (StepScope ignored = new StepScope()) {
            torch.manual_seed(SEED);
            Placement cpu = Placement.cpu();
            write(new ClipTextModel(ClipTextConfig.read(dir.resolve("text_encoder/config.json")), cpu),
                    dir.resolve("text_encoder/model.safetensors"));
            write(new UNet2DConditionModel(UNetConfig.read(dir.resolve("unet/config.json")), cpu),
                    dir.resolve("unet/diffusion_pytorch_model.safetensors"));
            write(new AutoencoderKL(VaeConfig.read(dir.resolve("vae/config.json")), cpu),
                    dir.resolve("vae/diffusion_pytorch_model.safetensors"));
        }
        copyResource(INDEX, dir.resolve(INDEX));
        return dir;
    }

    private static void write(Module m, Path file) throws IOException {
        SafetensorsWriter.write(file, m.stateDict(), Map.of("format", "pt"));
    }

    /**
     * {@code vocab.json} laid out as CLIP builds its vocabulary (the 256 byte symbols in {@code bytes_to_unicode}
     * order, the same with {@code </w>}, then start and end of text) and a {@code merges.txt} with no merges.
     */
    private static void writeTokenizer(Path dir) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> symbols = byteSymbols();
        for (String s : symbols) vocab.put(s, vocab.size());
        for (String s : symbols) vocab.put(s + "</w>", vocab.size());
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        AtomicFiles.writeString(dir.resolve("vocab.json"), new ObjectMapper().writeValueAsString(vocab));
        AtomicFiles.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
    }

    /**
     * GPT-2's {@code bytes_to_unicode} in its dict order: the printable bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') as
     * themselves, then every other byte as U+0100 onwards.
     */
    private static List<String> byteSymbols() {
        List<String> printable = new ArrayList<>();
        List<String> shifted = new ArrayList<>();
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean isPrintable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (isPrintable) printable.add(String.valueOf((char) b));
            else shifted.add(String.valueOf((char) next++));
        }
        printable.addAll(shifted);
        return printable;
    }

    private static void copyResource(String name, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try (InputStream in = TinyModel.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) throw new UncheckedIOException(new IOException("resource " + RESOURCES + name + " is missing from the build"));
            AtomicFiles.writeBytes(target, in.readAllBytes());
        }
    }
}
