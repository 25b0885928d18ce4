package dev.lycoris4j.cli;

import dev.lycoris4j.core.nn.Devices;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.diffusion.adapter.AppliedAdapter;
import dev.lycoris4j.diffusion.adapter.RuntimeAdapters;
import dev.lycoris4j.diffusion.image.PngWriter;
import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.pipeline.GenerationRequest;
import dev.lycoris4j.diffusion.pipeline.TextToImage;
import dev.lycoris4j.diffusion.scheduler.Schedulers;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Generate images from a prompt (txt2img), optionally with adapters.",
        description = {"Runs Stable Diffusion 1.x/2.x/XL as diffusers does: the initial latents of seed S equal",
                "diffusers' (CPU generator), and image k of --count N uses seed S+k. PNGs carry the prompt and",
                "settings in a 'parameters' text chunk, as A1111 writes it."},
        footerHeading = "%nExample:%n",
        footer = "  lycoris generate --model models/sd15 --prompt 'a photo of sks dog' --adapter my_lora.safetensors:0.8 "
                + "--seed 1000 --count 4 -o out/images")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "a diffusers folder or a single-file .safetensors")
    Path model;

    @Option(names = "--prompt", required = true, description = "the prompt")
    String prompt;

    @Option(names = "--negative", defaultValue = "", description = "the negative prompt (default empty)")
    String negative;

    @Option(names = "--adapter", paramLabel = "FILE[:SCALE]", converter = MergeCommand.AdapterArgument.Converter.class,
            description = "an adapter file and its scale (default 1); repeat to stack several")
    List<MergeCommand.AdapterArgument> adapters = new ArrayList<>();

    @Option(names = "--bypass", description = "run adapters through their factors instead of merged weights")
    boolean bypass;

    @Option(names = "--sampler", defaultValue = "ddim", description = "ddim, euler, dpmpp-2m or dpmpp-2m-karras (default ddim)")
    String sampler;

    @Option(names = "--steps", defaultValue = "25", description = "denoising steps (default 25)")
    int steps;

    @Option(names = "--cfg", defaultValue = "7", description = "classifier-free guidance scale (default 7)")
    double cfg;

    @Option(names = "--seed", description = "seed of the first image (default: random, printed)")
    Long seed;

    @Option(names = "--width", description = "image width (default: the model's sample size × 8)")
    Integer width;

    @Option(names = "--height", description = "image height (default: the model's sample size × 8)")
    Integer height;

    @Option(names = "--count", defaultValue = "1", description = "number of images; image k uses seed S+k")
    int count;

    @Option(names = "--clip-skip", defaultValue = "1", description = "text-encoder layer from the end, A1111 style (1 = last)")
    int clipSkip;

    @Option(names = "--save-latents", paramLabel = "FILE", description = "write the final latents to FILE (key 'latents')")
    Path saveLatents;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default cpu)")
    String device;

    @Option(names = "--dtype", converter = MergeCommand.DtypeConverter.class, paramLabel = "fp32|fp16|bf16",
            description = "compute dtype (default fp32 on the CPU, fp16 on CUDA)")
    DType dtype;

    @Option(names = "--tokenizer", paramLabel = "PATH", description = "tokenizer for a single-file model: a diffusers tokenizer folder or bpe_simple_vocab_16e6.txt.gz")
    Path tokenizer;

    @Option(names = "--configs", paramLabel = "DIR", description = "a diffusers folder whose configs describe a single-file model")
    Path configs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "a .png file (one image) or a folder")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (!Schedulers.NAMES.contains(sampler)) throw new Errors.BadInput("unknown sampler '" + sampler + "': use " + Schedulers.NAMES);
        PrintWriter out = spec.commandLine().getOut();
        String dev = Devices.canonical(device);
        DType computeDtype = dtype != null ? dtype : dev.equals("cpu") ? DType.F32 : DType.F16;
        StableDiffusion sd = SdLoader.load(model, SdLoader.Options.defaults().withTokenizer(tokenizer).withConfigs(configs)
                .withPlacement(new Placement(dev, computeDtype)).withProgress(out::println));
        for (MergeCommand.AdapterArgument a : adapters) {
            AppliedAdapter applied = RuntimeAdapters.apply(sd, Errors.readableFile(a.file(), "adapter file"), a.scale(), bypass);
            out.println(applied.report());
        }
        int size = sd.unet().config().sampleSize() * 8;
        long first = seed != null ? seed : new java.security.SecureRandom().nextLong(0, 1L << 32);
        GenerationRequest base = new GenerationRequest(prompt, negative, steps, cfg, first, width != null ? width : size,
                height != null ? height : size, count, clipSkip, sampler);
        boolean single = count == 1 && output.toString().toLowerCase(Locale.ROOT).endsWith(".png");
        if (!single) Files.createDirectories(output);
        TextToImage pipeline = new TextToImage(sd);
        TensorVector latents = new TensorVector();
        for (int k = 0; k < count; k++) {
            GenerationRequest r = base.withSeed(first + k);
            TextToImage.Result result = pipeline.generate(r, i -> {});
            Path file = single ? output : output.resolve(String.format(Locale.ROOT, "%05d-%d.png", k, r.seed()));
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            PngWriter.write(file, result.width(), result.height(), result.rgb(), Map.of("parameters", parameters(r)));
            latents.push_back(result.finalLatents().cpu());
            out.println("wrote " + file + " (seed " + r.seed() + ")");
        }
        if (saveLatents != null) {
            SafetensorsWriter.write(saveLatents, Map.of("latents", torch.cat(latents, 0)), Map.of("seed", Long.toString(first)));
            out.println("wrote " + saveLatents);
        }
        return 0;
    }

    /** A1111's infotext: prompt, negative prompt, then the settings on one comma-separated line. */
    private String parameters(GenerationRequest r) {
        StringBuilder b = new StringBuilder(r.prompt());
        if (!r.negativePrompt().isEmpty()) b.append("\nNegative prompt: ").append(r.negativePrompt());
        b.append(String.format(Locale.ROOT, "\nSteps: %d, Sampler: %s, CFG scale: %s, Seed: %d, Size: %dx%d, Model: %s",
                r.steps(), samplerName(r.sampler()), trim(r.guidanceScale()), r.seed(), r.width(), r.height(),
                model.getFileName()));
        if (r.clipSkip() > 1) b.append(", Clip skip: ").append(r.clipSkip());
        for (MergeCommand.AdapterArgument a : adapters) b.append(", Adapter: ").append(a.file().getFileName()).append(':').append(trim(a.scale()));
        return b.append(", Version: lycoris4j").toString();
    }

    private static String samplerName(String id) {
        return switch (id) {
            case "ddim" -> "DDIM";
            case "euler" -> "Euler";
            case "dpmpp-2m" -> "DPM++ 2M";
            case "dpmpp-2m-karras" -> "DPM++ 2M Karras";
            default -> id;
        };
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
