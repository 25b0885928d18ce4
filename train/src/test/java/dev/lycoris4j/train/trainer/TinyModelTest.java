package dev.lycoris4j.train.trainer;

import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TinyModelTest {
    @TempDir
    Path dir;

    @Test
    void theEmbeddedModelIsTheSameOnEveryBuildAndLoadsAsADiffusersFolder() throws Exception {
        Path a = TinyModel.build(dir.resolve("a"));
        Path b = TinyModel.build(dir.resolve("b"));
        for (String f : List.of("unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                "text_encoder/model.safetensors", "tokenizer/vocab.json", "model_index.json")) {
            assertThat(Files.readAllBytes(b.resolve(f))).as(f).isEqualTo(Files.readAllBytes(a.resolve(f)));
        }
        StableDiffusion sd = SdLoader.load(a, SdLoader.Options.defaults());
        assertThat(sd.kind()).isEqualTo(StableDiffusion.Kind.SD1);
        assertThat(sd.unet().config().crossAttentionDim()).isEqualTo(32);
        // Byte-level vocabulary, printable bytes first from '!' (id 0): 'a' is 97 − 33 = 64, "b</w>" 256 + 65;
        // start 512, end 513, padded with the end token.
        long[] ids = sd.tokenizer().inputIds("ab");
        assertThat(ids).hasSize(77);
        assertThat(ids).startsWith(512, 64, 321, 513, 513);
    }
}
