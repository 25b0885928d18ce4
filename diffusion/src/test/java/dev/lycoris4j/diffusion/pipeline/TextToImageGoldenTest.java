package dev.lycoris4j.diffusion.pipeline;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.unet.UNetConfig;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** Golden/sd case 6 (the SD1.5 pipeline end to end) and case 3b (the single file equals the folder). */
class TextToImageGoldenTest {
    private static final GenerationRequest CASE6 = new GenerationRequest("a photo of sks dog", "", 5, 7.0, 7100,
            64, 64, 1, 1, "ddim");

    @Test
    void sd15PipelineReproducesDiffusers() throws Exception {
        StableDiffusion sd = SdLoader.load(Golden.path("sd/sd15_tiny"), SdLoader.Options.defaults());
        TextToImage pipe = new TextToImage(sd);
        List<Integer> steps = new ArrayList<>();
        TextToImage.Result r = pipe.generate(CASE6, steps::add);
        assertThat(steps).containsExactly(0, 1, 2, 3, 4);
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/pipeline_sd15_io.safetensors"))) {
            var c = pipe.encode(CASE6);
            assertClose("negative embeds", c.context().narrow(0, 0, 1), io.tensor("negative_prompt_embeds"), 1e-4, 1e-4);
            assertClose("prompt embeds", c.context().narrow(0, 1, 1), io.tensor("prompt_embeds"), 1e-4, 1e-4);
            assertClose("initial latents", r.initialLatents(), io.tensor("init_latents"), 1e-6, 0);
            assertClose("final latents", r.finalLatents(), io.tensor("final_latents"), 1e-3, 0);
            assertClose("image", r.image(), io.tensor("image_float").squeeze(0), 1e-3, 0);
            byte[] golden = new byte[64 * 64 * 3];
            io.bytes("image_uint8").asByteBuffer().get(golden);
            byte[] ours = r.rgb();
            for (int i = 0; i < ours.length; i++) {
                assertThat(Math.abs((ours[i] & 0xff) - (golden[i] & 0xff))).as("pixel byte %d", i).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void singleFileLoadsLikeTheFolder() throws Exception {
        Path folder = Golden.path("sd/sd15_tiny");
        Path file = Golden.path("sd/sd15_tiny_ldm.safetensors");
        // The tiny text encoder's head count (4 of 32 channels) is not inferable from shapes, so configs come
        // from the folder here; the UNet and VAE configs inferred from shapes + YAML are compared separately.
        StableDiffusion fromFile = SdLoader.load(file, SdLoader.Options.defaults()
                .withTokenizer(folder.resolve("tokenizer")).withConfigs(folder));
        StableDiffusion fromFolder = SdLoader.load(folder, SdLoader.Options.defaults());
        for (var e : fromFolder.components().entrySet()) {
            var expected = e.getValue().stateDict();
            var actual = fromFile.components().get(e.getKey()).stateDict();
            assertThat(actual.keySet()).as(e.getKey()).isEqualTo(expected.keySet());
            for (String k : expected.keySet()) assertClose(e.getKey() + "." + k, actual.get(k), expected.get(k), 0, 0);
        }
        TextToImage.Result a = new TextToImage(fromFile).generate(CASE6, i -> {});
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/pipeline_sd15_io.safetensors"))) {
            assertClose("single-file final latents", a.finalLatents(), io.tensor("final_latents"), 1e-3, 0);
        }
    }

    @Test
    void inferredSingleFileArchitectureMatchesTheFolderConfigs() {
        Path folder = Golden.path("sd/sd15_tiny");
        StableDiffusion inferred = SdLoader.load(Golden.path("sd/sd15_tiny_ldm.safetensors"),
                SdLoader.Options.defaults().withTokenizer(folder.resolve("tokenizer")));
        UNetConfig want = UNetConfig.read(folder.resolve("unet/config.json"));
        UNetConfig got = inferred.unet().config();
        assertThat(got.blockOutChannels()).containsExactly(want.blockOutChannels());
        assertThat(got.downBlockTypes()).containsExactly(want.downBlockTypes());
        assertThat(got.upBlockTypes()).containsExactly(want.upBlockTypes());
        assertThat(got.attentionHeads()).containsExactly(want.attentionHeads());
        assertThat(got.layersPerBlock()).isEqualTo(want.layersPerBlock());
        assertThat(got.crossAttentionDim()).isEqualTo(want.crossAttentionDim());
        assertThat(got.linearProjection()).isEqualTo(want.linearProjection());
        assertThat(inferred.vae().config().blockOutChannels()).containsExactly(
                dev.lycoris4j.diffusion.vae.VaeConfig.read(folder.resolve("vae/config.json")).blockOutChannels());
        assertThat(inferred.vae().config().scalingFactor()).isEqualTo(0.18215);
        assertThat(inferred.kind()).isEqualTo(StableDiffusion.Kind.SD1);
    }

    @Test
    void picklesAreRefusedWithAConversionHint(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path ckpt = java.nio.file.Files.writeString(dir.resolve("model.ckpt"), "not read");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> SdLoader.load(ckpt, SdLoader.Options.defaults())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pickle").hasMessageContaining("safetensors");
    }
}
