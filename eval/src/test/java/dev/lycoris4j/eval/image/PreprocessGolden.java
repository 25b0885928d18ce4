package dev.lycoris4j.eval.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Access to golden case c_preprocessing: the six source images and their manifest entries. */
final class PreprocessGolden {
    private PreprocessGolden() {}

    static JsonNode caseNode() {
        try {
            return new ObjectMapper().readTree(Golden.path("eval/manifest.json").toFile())
                    .path("cases").path("c_preprocessing");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The manifest's per-image entries, in index order (img0 .. img5). */
    static List<JsonNode> images() {
        List<JsonNode> out = new ArrayList<>();
        caseNode().path("images").forEach(out::add);
        if (out.isEmpty()) throw new IllegalStateException("manifest lists no preprocessing images");
        return out;
    }

    static RgbImage decode(JsonNode entry) {
        return ImageFiles.readRgb(Golden.path("eval/" + entry.path("file").asText()));
    }

    static Path tensors() {
        return Golden.path("eval/preprocess_io.safetensors");
    }

    static byte[] u8(SafetensorsFile file, String name) throws IOException {
        return file.bytes(name).toArray(ValueLayout.JAVA_BYTE);
    }

    static float[] f32(SafetensorsFile file, String name) throws IOException {
        return file.bytes(name).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN));
    }
}
