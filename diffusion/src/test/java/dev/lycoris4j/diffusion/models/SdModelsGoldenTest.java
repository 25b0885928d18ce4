package dev.lycoris4j.diffusion.models;

import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.diffusion.load.Weights;
import dev.lycoris4j.diffusion.text.ClipTextConfig;
import dev.lycoris4j.diffusion.text.ClipTextModel;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.diffusion.unet.UNetConfig;
import dev.lycoris4j.diffusion.vae.AutoencoderKL;
import dev.lycoris4j.diffusion.vae.VaeConfig;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;

/**
 * The tiny golden models (golden/sd manifest cases 2–4) loaded from their diffusers/transformers files
 * and run on the golden inputs; outputs must equal the reference within the manifest tolerances.
 */
class SdModelsGoldenTest {

    @Test
    void clipTextEncodersMatchTransformers() throws Exception {
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/clip_text_io.safetensors"))) {
            for (String te : new String[] {"te1", "te2"}) {
                Path dir = Golden.path(te.equals("te1") ? "sd/sd15_tiny/text_encoder" : "sd/sdxl_text_encoder_2");
                ClipTextModel model = new ClipTextModel(ClipTextConfig.read(dir.resolve("config.json")), Placement.cpu());
                Weights.load(model, dir.resolve("model.safetensors"));
                ClipTextModel.Output out = model.forward(io.tensor(te + "_input_ids"));
                for (int i = 0; i <= 3; i++) {
                    assertClose(te + " hidden_states_" + i, out.hiddenStates().get(i), io.tensor(te + "_hidden_states_" + i), 1e-4, 1e-4);
                }
                assertClose(te + " hidden_states[-2]", out.fromEnd(2), io.tensor(te + "_hidden_states_m2"), 1e-4, 1e-4);
                assertClose(te + " last_hidden_state", out.lastHiddenState(), io.tensor(te + "_last_hidden_state"), 1e-4, 1e-4);
                if (te.equals("te1")) {
                    assertClose("te1 pooler", out.pooled(), io.tensor("te1_pooler_output"), 1e-4, 1e-4);
                    assertClose("te1 clip skip 2", out.fromEndNormed(2), io.tensor("te1_hidden_states_m2_final_ln"), 1e-4, 1e-4);
                } else {
                    assertClose("te2 text_embeds", out.textEmbeds(), io.tensor("te2_text_embeds"), 1e-4, 1e-4);
                }
            }
        }
    }

    @Test
    void sd15UnetMatchesDiffusers() throws Exception {
        Path dir = Golden.path("sd/sd15_tiny/unet");
        UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.read(dir.resolve("config.json")), Placement.cpu());
        Weights.load(unet, dir.resolve("diffusion_pytorch_model.safetensors"));
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/unet_sd15_io.safetensors"))) {
            Tensor sample = io.tensor("sample");
            Tensor ctx = io.tensor("encoder_hidden_states");
            assertClose("unet out", unet.forward(sample, io.tensor("timestep"), ctx), io.tensor("out"), 2e-4, 1e-4);
            Tensor t500 = dev.lycoris4j.core.tensor.Tensors.fromLongs(new long[] {500});
            assertClose("unet out t=500", unet.forward(sample, t500.squeeze(), ctx), io.tensor("out_timestep_500_scalar"), 2e-4, 1e-4);
        }
    }

    @Test
    void sdxlUnetMatchesDiffusers() throws Exception {
        Path dir = Golden.path("sd/sdxl_unet_tiny");
        UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.read(dir.resolve("config.json")), Placement.cpu());
        Weights.load(unet, dir.resolve("diffusion_pytorch_model.safetensors"));
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/unet_sdxl_io.safetensors"))) {
            Tensor out = unet.forward(io.tensor("sample"), io.tensor("timestep"), io.tensor("encoder_hidden_states"),
                    io.tensor("text_embeds"), io.tensor("time_ids"));
            assertClose("sdxl unet out", out, io.tensor("out"), 2e-4, 1e-4);
        }
    }

    @Test
    void vaeMatchesDiffusers() throws Exception {
        Path dir = Golden.path("sd/sd15_tiny/vae");
        AutoencoderKL vae = new AutoencoderKL(VaeConfig.read(dir.resolve("config.json")), Placement.cpu());
        Weights.load(vae, dir.resolve("diffusion_pytorch_model.safetensors"));
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/vae_io.safetensors"))) {
            AutoencoderKL.LatentDistribution d = vae.encode(io.tensor("image"));
            assertClose("vae mean", d.mean(), io.tensor("latent_mean"), 2e-4, 1e-4);
            assertClose("vae logvar", d.logvar(), io.tensor("latent_logvar"), 2e-4, 1e-4);
            assertClose("vae std", d.std(), io.tensor("latent_std"), 2e-4, 1e-4);
            assertClose("vae decode", vae.decode(io.tensor("decode_input")), io.tensor("decode_output"), 2e-4, 1e-4);
        }
    }

    @Test
    void tiledDecodeEqualsPlainDecodeWithinOneTileAndStitchesLargerOnes() throws Exception {
        Path dir = Golden.path("sd/sd15_tiny/vae");
        AutoencoderKL vae = new AutoencoderKL(VaeConfig.read(dir.resolve("config.json")), Placement.cpu());
        Weights.load(vae, dir.resolve("diffusion_pytorch_model.safetensors"));
        try (SafetensorsFile io = SafetensorsFile.open(Golden.path("sd/vae_io.safetensors"))) {
            Tensor z = io.tensor("decode_input");
            assertClose("one tile", vae.decodeTiled(z, 8), vae.decode(z), 0, 0);
            // 8×8 latents in 4-latent tiles: 3×3 overlapping tiles; the stitched image has the full size and,
            // away from the blended seams, the top-left tile's pixels are that tile's own decode.
            Tensor tiled = vae.decodeTiled(z, 4);
            org.assertj.core.api.Assertions.assertThat(dev.lycoris4j.core.tensor.Tensors.shape(tiled))
                    .containsExactly(2, 3, 64, 64);
            Tensor corner = vae.decode(z.narrow(2, 0, 4).narrow(3, 0, 4)).narrow(2, 0, 24).narrow(3, 0, 24);
            assertClose("unblended corner", tiled.narrow(2, 0, 24).narrow(3, 0, 24), corner, 0, 0);
        }
    }
}
