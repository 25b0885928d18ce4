package dev.lycoris4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lycoris4j.eval.encoders.ClipEncoder;
import dev.lycoris4j.eval.encoders.DinoEncoder;
import dev.lycoris4j.eval.encoders.VggGramEncoder;
import dev.lycoris4j.eval.image.ResizeMode;
import dev.lycoris4j.eval.image.RgbImage;
import dev.lycoris4j.eval.score.ImageSets;
import dev.lycoris4j.eval.score.PromptProcessing;
import dev.lycoris4j.eval.score.SetScore;
import dev.lycoris4j.eval.score.SetScorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "score", mixinStandardHelpOptions = true, usageHelpWidth = 100,
        header = "Score one generated image set against reference images with the LyCORIS-evaluation metrics.",
        description = {"Image similarity and squared centroid distance (DINO, and CLIP), Vendi diversity of the generated",
                "set, CLIP text similarity when prompts are given (line k <-> image k in sorted file order), and the",
                "VGG19-Gram style loss (all pairs) when a VGG is given. Generated images are resized ('resize'),",
                "reference images with --resize. MODEL: a Hugging Face folder (config.json + model.safetensors) or one",
                ".safetensors in the OpenCLIP / torch.hub / torchvision layout."},
        footerHeading = "%nExample:%n",
        footer = "  lycoris score --generated out/gen --reference data/dog --prompts prompts.txt --clip clip-vit-large-patch14 --dino dinov2_vitl14.safetensors --json")
final class ScoreCommand implements Callable<Integer> {
    private static final Map<String, ResizeMode> RESIZE = Map.of("letterbox", ResizeMode.LETTERBOX,
            "crop", ResizeMode.CENTER_CROP, "stretch", ResizeMode.STRETCH, "scale", ResizeMode.SCALE);

    @Spec
    CommandSpec spec;

    @Option(names = "--generated", required = true, paramLabel = "DIR", description = "folder of generated images")
    Path generated;

    @Option(names = "--reference", required = true, paramLabel = "DIR", description = "folder of reference images")
    Path reference;

    @Option(names = "--prompts", paramLabel = "FILE", description = "one prompt per line, line k for generated image k")
    Path prompts;

    @Option(names = "--prompt-table", paramLabel = "FILE", description = {"LyCORIS-evaluation's trigger-word replacements",
            "(lycoris-eval-prompts.json) applied to prompts before CLIP; default: clean-up only"})
    Path promptTable;

    @Option(names = "--clip", required = true, paramLabel = "MODEL", description = "CLIP: HF CLIPModel folder or OpenCLIP file")
    Path clip;

    @Option(names = "--clip-tokenizer", paramLabel = "PATH",
            description = "tokenizer folder (vocab.json + merges.txt) or OpenCLIP BPE file (default: beside the model)")
    Path clipTokenizer;

    @Option(names = "--dino", required = true, paramLabel = "MODEL", description = "DINOv2 HF folder, or DINOv2 / DINO torch.hub file")
    Path dino;

    @Option(names = "--vgg", paramLabel = "MODEL", description = "torchvision VGG19 file, for the style loss")
    Path vgg;

    @Option(names = "--resize", paramLabel = "MODE", defaultValue = "letterbox",
            description = "reference preprocessing: letterbox, crop, stretch or scale (default: ${DEFAULT-VALUE})")
    String resize;

    @Option(names = "--json", description = "print a JSON object instead of text")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ResizeMode mode = RESIZE.get(resize);
        if (mode == null) {
            throw new ParameterException(spec.commandLine(), "--resize must be letterbox, crop, stretch or scale, got '" + resize + "'");
        }
        List<Path> generatedFiles = ImageSets.files(generated, "generated image");
        List<Path> referenceFiles = ImageSets.files(reference, "reference image");
        List<String> promptLines = null;
        if (prompts != null) {
            promptLines = PromptProcessing.lines(readText(Errors.readableFile(prompts, "prompts file")));
            if (promptLines.size() != generatedFiles.size()) {
                throw new Errors.BadInput(prompts + " has " + promptLines.size() + " prompts but " + generated + " has "
                        + generatedFiles.size() + " images (one prompt per image)");
            }
        }
        PromptProcessing processing = promptTable == null ? PromptProcessing.CLEANUP_ONLY
                : PromptProcessing.fromLycorisEvalJson(Errors.readableFile(promptTable, "prompt table"));
        List<RgbImage> generatedImages = ImageSets.read(generatedFiles);
        List<RgbImage> referenceImages = ImageSets.read(referenceFiles);
        SetScorer scorer = new SetScorer(DinoEncoder.load(dino, DinoEncoder.INPUT_SIZE), ClipEncoder.load(clip, clipTokenizer),
                vgg == null ? null : VggGramEncoder.load(vgg), mode, processing);
        SetScore score = scorer.score(generatedImages, referenceImages, promptLines);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? json(score) : text(score));
        out.flush();
        return 0;
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new Errors.BadInput(file + ": cannot read as UTF-8 text (" + e.getMessage() + ")");
        }
    }

    private ObjectNode fields(SetScore s) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("generated_images", s.generatedImages());
        o.put("reference_images", s.referenceImages());
        o.put("reference_resize", resize);
        o.put("image_similarity", s.imageSimilarity());
        o.put("centroid_distance", s.centroidDistance());
        o.put("clip_image_similarity", s.clipImageSimilarity());
        o.put("clip_centroid_distance", s.clipCentroidDistance());
        o.put("vendi", s.vendi());
        o.put("clip_vendi", s.clipVendi());
        s.textSimilarity().ifPresent(v -> o.put("text_similarity", v));
        s.styleLoss().ifPresent(v -> o.put("style_loss", v));
        return o;
    }

    private String json(SetScore s) throws Exception {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(fields(s)) + System.lineSeparator();
    }

    private String text(SetScore s) {
        StringBuilder b = new StringBuilder();
        fields(s).properties().forEach(e -> b.append(String.format("%-24s %s%n", e.getKey(), e.getValue().asText())));
        return b.toString();
    }
}
