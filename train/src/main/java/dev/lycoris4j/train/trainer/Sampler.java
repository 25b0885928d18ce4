package dev.lycoris4j.train.trainer;

import dev.lycoris4j.core.memory.StepScope;
import dev.lycoris4j.diffusion.image.PngWriter;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.pipeline.GenerationRequest;
import dev.lycoris4j.diffusion.pipeline.TextToImage;
import dev.lycoris4j.train.network.LycorisNetwork;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Generates the sample images of a checkpoint with the adapters as they are, without disturbing training: the
 * adapters' dropouts are off while sampling, and libtorch's generator (which the pipeline reseeds) gets its state
 * back afterwards, so a run with samples trains exactly as one without.
 */
final class Sampler {
    private final StableDiffusion sd;
    private final LycorisNetwork network;
    private final List<GenerationRequest> requests;
    private final Path dir;

    Sampler(StableDiffusion sd, LycorisNetwork network, List<GenerationRequest> requests, Path dir) {
        this.sd = sd;
        this.network = network;
        this.requests = List.copyOf(requests);
        this.dir = dir;
    }

    /** Writes {@code samples/NNNNNN-KK.png} for every prompt; returns the files. */
    List<Path> sample(long step) throws IOException {
        Files.createDirectories(dir);
        Generator generator = torch.getDefaultCPUGenerator();
        Tensor state = StepScope.keep(generator.get_state());
        network.setTraining(false);
        try {
            TextToImage pipeline = new TextToImage(sd);
            List<Path> files = new ArrayList<>();
            for (int k = 0; k < requests.size(); k++) {
                GenerationRequest r = requests.get(k);
                try (StepScope ignored = new StepScope()) {
                    TextToImage.Result result = pipeline.generate(r, i -> {});
                    Path file = dir.resolve(String.format(Locale.ROOT, "%06d-%02d.png", step, k));
                    PngWriter.write(file, result.width(), result.height(), result.rgb(), Map.of("parameters",
                            String.format(Locale.ROOT, "%s%s\nSteps: %d, Sampler: %s, CFG scale: %s, Seed: %d, Size: %dx%d, Training step: %d",
                                    r.prompt(), r.negativePrompt().isEmpty() ? "" : "\nNegative prompt: " + r.negativePrompt(),
                                    r.steps(), r.sampler(), PythonStr.of(r.guidanceScale()), r.seed(), r.width(), r.height(), step)));
                    files.add(file);
                }
            }
            return files;
        } finally {
            network.setTraining(true);
            generator.set_state(state);
            state.close();
        }
    }
}
