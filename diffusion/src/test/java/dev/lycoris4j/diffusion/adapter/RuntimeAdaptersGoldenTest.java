package dev.lycoris4j.diffusion.adapter;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.diffusion.load.SdLoader;
import dev.lycoris4j.diffusion.model.StableDiffusion;
import dev.lycoris4j.diffusion.pipeline.GenerationRequest;
import dev.lycoris4j.diffusion.pipeline.TextToImage;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** Golden/sd case 7: diffusers' kohya-LoRA loading at scale 0.8, on the UNet, the text encoder and the pipeline. */
class RuntimeAdaptersGoldenTest {

    @ParameterizedTest(name = "bypass={0}")
    @ValueSource(booleans = {false, true})
    void kohyaLoraAtScale08MatchesDiffusers(boolean bypass) throws Exception {
        StableDiffusion sd = SdLoader.load(Golden.path("sd/sd15_tiny"), SdLoader.Options.defaults());
        AppliedAdapter applied = RuntimeAdapters.apply(sd, Golden.path("sd/lora_kohya_tiny.safetensors"), 0.8, bypass);
        assertThat(applied.isComplete()).as(applied.report()).isTrue();
        assertThat(applied.matched()).hasSize(60);
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/lora_io.safetensors"))) {
            Tensor unetOut = sd.unet().forward(io.tensor("unet_sample"), io.tensor("unet_timestep"),
                    io.tensor("unet_encoder_hidden_states"));
            assertClose("unet with LoRA", unetOut, io.tensor("unet_out_lora"), 2e-4, 0);
            Tensor te = sd.textEncoder().forward(io.tensor("te_input_ids")).lastHiddenState();
            assertClose("text encoder with LoRA", te, io.tensor("te_last_hidden_state_lora"), 1e-4, 0);
            if (!bypass) {
                TextToImage.Result r = new TextToImage(sd).generate(
                        new GenerationRequest("a photo of sks dog", "", 5, 7.0, 7100, 64, 64, 1, 1, "ddim"), i -> {});
                assertClose("pipeline latents with LoRA", r.finalLatents(), io.tensor("pipeline_final_latents_lora"), 1e-3, 0);
            }
        }
    }
}
