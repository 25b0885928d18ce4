package dev.lycoris4j.adapters.merge;

import dev.lycoris4j.adapters.io.GoldenNetwork;
import dev.lycoris4j.adapters.merge.Resolution.Reason;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class NameResolverTest {

    static List<GoldenNetwork> networks() {
        return GoldenNetwork.all();
    }

    /**
     * Every module of the golden files lands on exactly the weights the reference merge changed
     * ({@code merged_changed_params}); Norm modules change the bias too, which is not a resolution matter.
     */
    @ParameterizedTest
    @MethodSource("networks")
    void everyGoldenModuleResolvesToTheWeightTheReferenceChanged(GoldenNetwork net) throws Exception {
        NameResolver resolver;
        try (SafetensorsFile base = SafetensorsFile.open(net.base())) {
            resolver = NameResolver.ofTensorNames(base.names());
        }
        Set<String> modules = new LinkedHashSet<>();
        for (String key : net.stateDictOrder()) modules.add(key.substring(0, key.indexOf('.')));

        Set<String> weights = new TreeSet<>();
        for (String module : modules) {
            Resolution r = resolver.resolve(module);
            assertThat(r).as(module).isInstanceOf(Resolution.Resolved.class);
            assertThat(((Resolution.Resolved) r).viaAlias()).as(module).isFalse();
            weights.add(((Resolution.Resolved) r).modulePath() + ".weight");
        }

        assertThat(modules).hasSize(net.modules());
        assertThat(weights).containsExactlyInAnyOrderElementsOf(
                net.mergedChangedParams().stream().filter(p -> p.endsWith(".weight")).toList());
    }

    @Test
    void underscoresThatCouldBeEitherAreAnAmbiguityListingTheCandidates() {
        NameResolver resolver = NameResolver.ofTensorNames(List.of("unet.a_b.c.weight", "unet.a.b_c.weight", "unet.d.weight"));

        Resolution r = resolver.resolve("lora_unet_a_b_c");

        assertThat(r).isInstanceOf(Resolution.Unresolved.class);
        Resolution.Unresolved u = (Resolution.Unresolved) r;
        assertThat(u.reason()).isEqualTo(Reason.AMBIGUOUS);
        assertThat(u.candidates()).containsExactlyInAnyOrder("unet.a_b.c", "unet.a.b_c");
        assertThat(u.message()).contains("unet.a_b.c").contains("unet.a.b_c");
    }

    @Test
    void aNameFoundUnderTwoComponentRootsIsAmbiguous() {
        NameResolver resolver = NameResolver.ofTensorNames(List.of("unet.proj_out.weight", "transformer.proj_out.weight"));

        Resolution r = resolver.resolve("lora_unet_proj_out");

        assertThat(r).isInstanceOf(Resolution.Unresolved.class);
        assertThat(((Resolution.Unresolved) r).candidates()).containsExactlyInAnyOrder("unet.proj_out", "transformer.proj_out");
    }

    @Test
    void unknownPrefixAndMissingModuleSayWhy() {
        NameResolver resolver = NameResolver.ofTensorNames(List.of("unet.conv_in.weight", "unet.conv_in.bias"));

        Resolution.Unresolved unknown = (Resolution.Unresolved) resolver.resolve("lora_vae_conv_in");
        Resolution.Unresolved missing = (Resolution.Unresolved) resolver.resolve("lora_unet_conv_out");

        assertThat(unknown.reason()).isEqualTo(Reason.UNKNOWN_PREFIX);
        assertThat(unknown.message()).contains("lora_unet").contains("lycoris");
        assertThat(missing.reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(missing.message()).contains("conv_out").contains("unet.");
    }

    @Test
    void prefixesReachTheirComponentsWhateverTheirTopLevelKey() {
        NameResolver resolver = NameResolver.ofTensorNames(List.of(
                "text_encoder_2.text_model.fc1.weight", "te1.text_model.fc1.weight",
                "model.diffusion_model.out.2.weight", "vae.decoder.conv_in.weight"));

        assertThat(path(resolver, "lora_te1_text_model_fc1")).isEqualTo("te1.text_model.fc1");
        assertThat(path(resolver, "lora_te_text_model_fc1")).isEqualTo("te1.text_model.fc1");
        assertThat(path(resolver, "lora_te2_text_model_fc1")).isEqualTo("text_encoder_2.text_model.fc1");
        assertThat(path(resolver, "lora_unet_out_2")).isEqualTo("model.diffusion_model.out.2");
        // The generic wrapper names modules relative to the model it wrapped: the root or one component.
        assertThat(path(resolver, "lycoris_decoder_conv_in")).isEqualTo("vae.decoder.conv_in");
        assertThat(path(resolver, "lycoris_vae_decoder_conv_in")).isEqualTo("vae.decoder.conv_in");
    }

    /** SD1-style (diffusers) checkpoint, adapter in LDM names: net1's tiny UNet has one resnet per block. */
    @Test
    void ldmNamesResolveAgainstADiffusersCheckpoint() throws Exception {
        NameResolver resolver = resolverOf(GoldenNetwork.named(GoldenNetwork.NET1));
        Map<String, String> expected = Map.of(
                "lora_unet_input_blocks_0_0", "unet.conv_in",
                "lora_unet_input_blocks_1_0_in_layers_2", "unet.down_blocks.0.resnets.0.conv1",
                "lora_unet_input_blocks_1_1_transformer_blocks_0_attn1_to_q",
                "unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q",
                "lora_unet_input_blocks_2_0_op", "unet.down_blocks.0.downsamplers.0.conv",
                "lora_unet_middle_block_2_emb_layers_1", "unet.mid_block.resnets.1.time_emb_proj",
                "lora_unet_output_blocks_0_0_skip_connection", "unet.up_blocks.0.resnets.0.conv_shortcut",
                "lora_unet_output_blocks_0_2_conv", "unet.up_blocks.0.upsamplers.0.conv",
                "lora_unet_time_embed_2", "unet.time_embedding.linear_2",
                "lora_unet_out_2", "unet.conv_out");
        expected.forEach((name, path) -> {
            Resolution r = resolver.resolve(name);
            assertThat(r).as(name).isEqualTo(new Resolution.Resolved(name, path, true));
        });
    }

    /** SDXL-style (SGM) checkpoint, adapter in diffusers names. */
    @Test
    void diffusersNamesResolveAgainstAnSgmCheckpoint() throws Exception {
        NameResolver resolver = resolverOf(GoldenNetwork.named(GoldenNetwork.NET2));
        Map<String, String> expected = Map.of(
                "lora_unet_conv_in", "unet.input_blocks.0.0",
                "lora_unet_down_blocks_0_resnets_0_conv2", "unet.input_blocks.1.0.out_layers.3",
                "lora_unet_down_blocks_0_downsamplers_0_conv", "unet.input_blocks.2.0.op",
                "lora_unet_down_blocks_1_attentions_0_proj_in", "unet.input_blocks.3.1.proj_in",
                "lora_unet_mid_block_attentions_0_transformer_blocks_0_ff_net_2",
                "unet.middle_block.1.transformer_blocks.0.ff.net.2",
                "lora_unet_up_blocks_0_upsamplers_0_conv", "unet.output_blocks.0.2.conv",
                "lora_unet_add_embedding_linear_1", "unet.label_emb.0.0");
        expected.forEach((name, path) -> assertThat(resolver.resolve(name)).as(name)
                .isEqualTo(new Resolution.Resolved(name, path, true)));
    }

    private static NameResolver resolverOf(GoldenNetwork net) throws Exception {
        try (SafetensorsFile base = SafetensorsFile.open(net.base())) {
            return NameResolver.ofTensorNames(base.names());
        }
    }

    private static String path(NameResolver resolver, String name) {
        Resolution r = resolver.resolve(name);
        assertThat(r).as(name).isInstanceOf(Resolution.Resolved.class);
        return ((Resolution.Resolved) r).modulePath();
    }
}
