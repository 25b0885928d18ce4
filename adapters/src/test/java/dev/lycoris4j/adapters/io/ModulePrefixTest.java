package dev.lycoris4j.adapters.io;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ModulePrefixTest {

    @Test
    void prefixesAreTellApartByTheirUnderscore() {
        assertThat(ModulePrefix.of("lora_te_text_model_encoder_layers_0_mlp_fc1")).contains(ModulePrefix.TEXT_ENCODER);
        assertThat(ModulePrefix.of("lora_te1_text_model_encoder_layers_0_mlp_fc1")).contains(ModulePrefix.TEXT_ENCODER_1);
        assertThat(ModulePrefix.of("lora_te2_text_model_encoder_layers_0_mlp_fc1")).contains(ModulePrefix.TEXT_ENCODER_2);
        assertThat(ModulePrefix.of("lora_unet_conv_in")).contains(ModulePrefix.UNET);
        assertThat(ModulePrefix.of("lycoris_transformer_blocks_0_attn_to_out_0")).contains(ModulePrefix.LYCORIS);
    }

    @Test
    void unknownOrBarePrefixesAreNotPrefixes() {
        assertThat(ModulePrefix.of("lora_te3_text_model")).isEmpty();
        assertThat(ModulePrefix.of("bundle_emb")).isEmpty();
        assertThat(ModulePrefix.of("lora_unet_")).isEmpty();
        assertThat(ModulePrefix.of("lora_unet")).isEmpty();
    }

    @Test
    void namingRuleOfSpecSection41() {
        assertThat(ModulePrefix.UNET.moduleName("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q"))
                .isEqualTo("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q");
        assertThat(ModulePrefix.LYCORIS.moduleName("transformer_blocks.0.attn.to_out.0"))
                .isEqualTo("lycoris_transformer_blocks_0_attn_to_out_0");
        assertThat(ModulePrefix.TEXT_ENCODER_1.flatPath("lora_te1_text_model_encoder_layers_0_self_attn_q_proj"))
                .isEqualTo("text_model_encoder_layers_0_self_attn_q_proj");
    }
}
