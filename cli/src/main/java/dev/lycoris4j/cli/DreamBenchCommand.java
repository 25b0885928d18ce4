package dev.lycoris4j.cli;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.eval.dreambench.DreamBenchOptions;
import dev.lycoris4j.eval.dreambench.DreamBenchRunner;
import dev.lycoris4j.eval.dreambench.SubjectScore;
import dev.lycoris4j.eval.encoders.DinoEncoder;
import dev.lycoris4j.eval.run.GenerationSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "dreambench", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Evaluate per-subject adapters on DreamBench: CLIP-I, CLIP-T and DINO.",
        description = {"For each of the 30 DreamBench subjects: its 25 prompts (live or object list, {unique_token} and",
                "{class_token} filled) x 4 images, image k of the subject seeded --seed + k; images already on disk",
                "are kept. CLIP-I / DINO: mean cosine over all real x generated pairs; CLIP-T: mean cosine of each",
                "image with its prompt. Scores per subject and overall (mean over subjects) go to OUT/dreambench.csv.",
                "The protocol's encoders: OpenAI CLIP ViT-B/32 and DINO ViT-S/16 (dino_vits16)."},
        footerHeading = "%nExample:%n",
        footer = "  lycoris dreambench --model models/sd15 --dataset dreambooth/dataset --adapters runs/dreambench "
                + "--clip clip-vit-base-patch32 --dino dino_vits16.safetensors -o out/dreambench")
final class DreamBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "base model: a diffusers folder or a single-file .safetensors")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "PATH", description = "tokenizer for a single-file model")
    Path tokenizer;

    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "google/dreambooth 'dataset' folder (one folder per subject)")
    Path dataset;

    @Option(names = "--adapters", paramLabel = "DIR", description = "folder with <subject>.safetensors per subject (default: the base model alone)")
    Path adapters;

    @Option(names = "--scale", defaultValue = "1", description = "adapter scale (default: ${DEFAULT-VALUE})")
    double scale;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "images and dreambench.csv go here")
    Path output;

    @Option(names = "--prompts-file", paramLabel = "FILE", description = "the DreamBench table (dreambench.json format; default: built in)")
    Path promptsFile;

    @Option(names = "--unique-token", defaultValue = "sks", description = "the subject identifier token (default: ${DEFAULT-VALUE})")
    String uniqueToken;

    @Option(names = "--subjects", split = ",", paramLabel = "NAME", description = "only these subjects (default: all 30)")
    List<String> subjects = new ArrayList<>();

    @Option(names = "--sampler", defaultValue = "ddim", description = "ddim, euler, dpmpp-2m or dpmpp-2m-karras (default: ${DEFAULT-VALUE})")
    String sampler;

    @Option(names = "--steps", defaultValue = "25", description = "denoising steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--cfg", defaultValue = "7", description = "guidance scale (default: ${DEFAULT-VALUE})")
    double cfg;

    @Option(names = "--size", defaultValue = "512", description = "image width and height (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--seed", defaultValue = "1000", description = "seed of each subject's image 0 (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", converter = MergeCommand.DtypeConverter.class, paramLabel = "fp32|fp16|bf16",
            description = "compute dtype (default fp32 on the CPU, fp16 on CUDA)")
    DType dtype;

    @Option(names = "--clip", required = true, paramLabel = "MODEL", description = "CLIP (the protocol: ViT-B/32): HF CLIPModel folder or OpenCLIP file")
    Path clip;

    @Option(names = "--clip-tokenizer", paramLabel = "PATH", description = "CLIP tokenizer (default: beside the model)")
    Path clipTokenizer;

    @Option(names = "--dino", required = true, paramLabel = "MODEL", description = "DINO ViT-S/16 (or DINOv2): torch.hub file or HF folder")
    Path dino;

    @Option(names = "--dino-size", defaultValue = "" + DinoEncoder.INPUT_SIZE, description = "DINO input size (default: ${DEFAULT-VALUE})")
    int dinoSize;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        GenerationSettings generation = new GenerationSettings(sampler, steps, cfg, size, size, seed, "", 1, device, dtype, false);
        DreamBenchOptions options = new DreamBenchOptions(model, tokenizer, dataset, adapters, scale, output, promptsFile,
                uniqueToken, subjects, generation, clip, clipTokenizer, dino, dinoSize);
        List<SubjectScore> scores = new DreamBenchRunner(options, line -> {
            out.println(line);
            out.flush();
        }).run();
        SubjectScore overall = scores.getLast();
        out.println(String.format(Locale.ROOT, "overall (%d subjects): CLIP-I %.4f, CLIP-T %.4f, DINO %.4f",
                scores.size() - 1, overall.clipI(), overall.clipT(), overall.dino()));
        return 0;
    }
}
