package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.merge.NameResolver;
import dev.lycoris4j.adapters.merge.Resolution;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Names for checkpoint paths, and that the merge's resolver finds every kohya and lycoris name back. */
class ModuleNamingTest {
    private static final List<String> SDXL = List.of(
            "unet.input_blocks.1.0.in_layers.2.weight", "te1.text_model.encoder.layers.0.mlp.fc1.weight",
            "te2.text_model.encoder.layers.0.mlp.fc1.weight", "vae.decoder.conv_in.weight");
    private static final List<String> DIFFUSERS = List.of(
            "unet.down_blocks.0.attentions.0.proj_in.weight", "text_encoder.text_model.encoder.layers.0.mlp.fc1.weight",
            "text_encoder_2.text_model.encoder.layers.0.mlp.fc1.weight", "transformer.x_embedder.weight");

    @Test
    void kohyaNamesFollowTheComponent() {
        ModuleNaming sdxl = ModuleNaming.of(SDXL);
        assertThat(sdxl.kohyaName("unet.input_blocks.1.0.in_layers.2")).isEqualTo("lora_unet_input_blocks_1_0_in_layers_2");
        assertThat(sdxl.kohyaName("te1.text_model.encoder.layers.0.mlp.fc1")).isEqualTo("lora_te1_text_model_encoder_layers_0_mlp_fc1");
        assertThat(sdxl.kohyaName("te2.text_model.encoder.layers.0.mlp.fc1")).isEqualTo("lora_te2_text_model_encoder_layers_0_mlp_fc1");
        assertThat(sdxl.kohyaName("vae.decoder.conv_in")).isEqualTo("lycoris_vae_decoder_conv_in");

        ModuleNaming two = ModuleNaming.of(DIFFUSERS);
        assertThat(two.kohyaName("text_encoder.text_model.encoder.layers.0.mlp.fc1")).startsWith("lora_te1_text_model");
        assertThat(two.kohyaName("transformer.x_embedder")).isEqualTo("lora_unet_x_embedder");
        ModuleNaming one = ModuleNaming.of(List.of("text_encoder.a.weight", "unet.b.weight"));
        assertThat(one.kohyaName("text_encoder.a")).isEqualTo("lora_te_a");
        assertThat(one.kohyaName("model.diffusion_model.input_blocks.0.0")).isEqualTo("lora_unet_input_blocks_0_0");
        assertThat(one.kohyaName("cond_stage_model.transformer.text_model.x")).isEqualTo("lora_te_text_model_x");
    }

    @Test
    void peftPathsUseDiffusersComponentNames() {
        ModuleNaming sdxl = ModuleNaming.of(SDXL);
        assertThat(sdxl.peftPath("te1.text_model.encoder.layers.0.mlp.fc1")).isEqualTo("text_encoder.text_model.encoder.layers.0.mlp.fc1");
        assertThat(sdxl.peftPath("te2.a.b")).isEqualTo("text_encoder_2.a.b");
        assertThat(sdxl.peftPath("model.diffusion_model.out.2")).isEqualTo("unet.out.2");
        assertThat(sdxl.peftPath("vae.decoder.conv_in")).isEqualTo("vae.decoder.conv_in");
    }

    @Test
    void everyNameResolvesBackToItsModule() {
        for (List<String> names : List.of(SDXL, DIFFUSERS)) {
            ModuleNaming naming = ModuleNaming.of(names);
            NameResolver resolver = NameResolver.ofTensorNames(names);
            for (String key : names) {
                String path = key.substring(0, key.length() - ".weight".length());
                for (String name : List.of(naming.kohyaName(path), naming.lycorisName(path))) {
                    assertThat(resolver.resolve(name)).as(name).isEqualTo(new Resolution.Resolved(name, path, false));
                }
            }
        }
    }
}
