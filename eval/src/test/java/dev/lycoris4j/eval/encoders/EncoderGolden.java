package dev.lycoris4j.eval.encoders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.eval.image.ImageFiles;
import dev.lycoris4j.eval.image.RgbImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Golden cases a_clip and b_dinov2: files, manifest entries, the six PNGs. */
final class EncoderGolden {
    static final Path CLIP_TINY = Golden.path("eval/clip_tiny");
    static final Path CLIP_TOKENIZER = Golden.path("sd/sd15_tiny/tokenizer");
    static final Path DINOV2_TINY = Golden.path("eval/dinov2_tiny");
    static final Path DINOV2_HUB = Golden.path("eval/dinov2_tiny_hub.safetensors");
    /** manifest b_dinov2 config num_attention_heads (width 32 is too narrow to infer it). */
    static final int DINOV2_TINY_HEADS = 4;

    private EncoderGolden() {}

    static JsonNode testCase(String name) {
        try {
            return new ObjectMapper().readTree(Golden.path("eval/manifest.json").toFile()).path("cases").path(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SafetensorsFile open(String file) throws IOException {
        return SafetensorsFile.open(Golden.path("eval/" + file));
    }

    /** images/img0 … img5 in index order (the order of the golden batches). */
    static List<RgbImage> images() {
        List<RgbImage> out = new ArrayList<>();
        for (JsonNode entry : testCase("c_preprocessing").path("images")) {
            out.add(ImageFiles.readRgb(Golden.path("eval/" + entry.path("file").asText())));
        }
        if (out.size() != 6) throw new IllegalStateException("expected the 6 golden images, found " + out.size());
        return out;
    }
}
