package dev.lycoris4j.core.naming;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** diffusers ↔ LDM on the real SD1.5 and SDXL layouts; expectations from the table of sd-architecture §(b). */
class UnetNamingTest {

    /** SD1.5 in diffusers names: 4 down blocks of 2 resnets (attention in 0-2), 4 up blocks of 3 (attention in 1-3). */
    private static List<String> sd15Diffusers() {
        List<String> p = new ArrayList<>(List.of("conv_in", "time_embedding.linear_1", "time_embedding.linear_2",
                "conv_norm_out", "conv_out", "mid_block.resnets.0.conv1", "mid_block.attentions.0.proj_in",
                "mid_block.resnets.1.time_emb_proj"));
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 2; j++) {
                p.add("down_blocks." + i + ".resnets." + j + ".conv1");
                if (i < 3) p.add("down_blocks." + i + ".attentions." + j + ".proj_in");
            }
            if (i < 3) p.add("down_blocks." + i + ".downsamplers.0.conv");
            for (int j = 0; j < 3; j++) {
                p.add("up_blocks." + i + ".resnets." + j + ".conv1");
                if (i > 0) p.add("up_blocks." + i + ".attentions." + j + ".proj_in");
            }
            if (i < 3) p.add("up_blocks." + i + ".upsamplers.0.conv");
        }
        return p;
    }

    /** SDXL in LDM names: input_blocks 0-8 (downsamplers at 3 and 6), output_blocks 0-8 (upsamplers at 2.2 and 5.2). */
    private static List<String> sdxlLdm() {
        List<String> p = new ArrayList<>(List.of("input_blocks.0.0", "time_embed.0", "label_emb.0.0", "label_emb.0.2",
                "middle_block.0.in_layers.2", "middle_block.1.proj_in", "middle_block.2.out_layers.3", "out.0", "out.2",
                "input_blocks.3.0.op", "input_blocks.6.0.op", "output_blocks.2.2.conv", "output_blocks.5.2.conv"));
        for (int n : new int[] {1, 2, 4, 5, 7, 8}) {
            p.add("input_blocks." + n + ".0.in_layers.2");
            if (n > 3) p.add("input_blocks." + n + ".1.transformer_blocks.0.attn1.to_q");
        }
        for (int n = 0; n < 9; n++) {
            p.add("output_blocks." + n + ".0.skip_connection");
            if (n < 6) p.add("output_blocks." + n + ".1.proj_out");
        }
        return p;
    }

    @Test
    void sd15DiffusersPathsGetTheirLdmNames() {
        Map<String, String> aliases = UnetNaming.aliases(sd15Diffusers());

        assertThat(aliases).containsEntry("input_blocks.0.0", "conv_in")
                .containsEntry("input_blocks.4.0.in_layers.2", "down_blocks.1.resnets.0.conv1")
                .containsEntry("input_blocks.8.1.proj_in", "down_blocks.2.attentions.1.proj_in")
                .containsEntry("input_blocks.3.0.op", "down_blocks.0.downsamplers.0.conv")
                .containsEntry("input_blocks.11.0.in_layers.2", "down_blocks.3.resnets.1.conv1")
                .containsEntry("middle_block.1.proj_in", "mid_block.attentions.0.proj_in")
                .containsEntry("middle_block.2.emb_layers.1", "mid_block.resnets.1.time_emb_proj")
                .containsEntry("output_blocks.2.1.conv", "up_blocks.0.upsamplers.0.conv") // no attention in up 0
                .containsEntry("output_blocks.5.2.conv", "up_blocks.1.upsamplers.0.conv")
                .containsEntry("output_blocks.5.1.proj_in", "up_blocks.1.attentions.2.proj_in")
                .containsEntry("output_blocks.11.0.in_layers.2", "up_blocks.3.resnets.2.conv1")
                .containsEntry("time_embed.2", "time_embedding.linear_2")
                .containsEntry("out.0", "conv_norm_out")
                .containsEntry("out.2", "conv_out");
        assertThat(aliases).hasSize(sd15Diffusers().size());
    }

    @Test
    void sdxlLdmPathsGetTheirDiffusersNames() {
        Map<String, String> aliases = UnetNaming.aliases(sdxlLdm());

        assertThat(aliases).containsEntry("conv_in", "input_blocks.0.0")
                .containsEntry("down_blocks.2.attentions.0.transformer_blocks.0.attn1.to_q",
                        "input_blocks.7.1.transformer_blocks.0.attn1.to_q")
                .containsEntry("down_blocks.0.resnets.1.conv1", "input_blocks.2.0.in_layers.2")
                .containsEntry("down_blocks.1.downsamplers.0.conv", "input_blocks.6.0.op")
                .containsEntry("mid_block.resnets.0.conv1", "middle_block.0.in_layers.2")
                .containsEntry("mid_block.resnets.1.conv2", "middle_block.2.out_layers.3")
                .containsEntry("up_blocks.2.resnets.2.conv_shortcut", "output_blocks.8.0.skip_connection")
                .containsEntry("up_blocks.1.attentions.2.proj_out", "output_blocks.5.1.proj_out")
                .containsEntry("up_blocks.0.upsamplers.0.conv", "output_blocks.2.2.conv")
                .containsEntry("add_embedding.linear_1", "label_emb.0.0")
                .containsEntry("time_embedding.linear_1", "time_embed.0");
        assertThat(aliases).hasSize(sdxlLdm().size());
    }

    @Test
    void pathsOutsideAUnetHaveNoAlias() {
        assertThat(UnetNaming.aliases(List.of("text_model.encoder.layers.0.mlp.fc1", "x_embedder",
                "transformer_blocks.0.attn.to_q"))).isEmpty();
    }

    @Test
    void stateDictKeysKeepTheirTensorName() {
        // SD1.5: 2 resnets per down block, 3 per up block, attention in up blocks 1-3.
        UnetNaming sd15 = new UnetNaming(2, 3, Set.of(1, 2, 3));

        assertThat(sd15.ldmKey("down_blocks.1.resnets.0.conv1.weight")).isEqualTo("input_blocks.4.0.in_layers.2.weight");
        assertThat(sd15.ldmKey("up_blocks.1.upsamplers.0.conv.bias")).isEqualTo("output_blocks.5.2.conv.bias");
        assertThat(sd15.ldmKey("down_blocks.0.attentions.1.transformer_blocks.0.attn2.to_k.weight"))
                .isEqualTo("input_blocks.2.1.transformer_blocks.0.attn2.to_k.weight");
        assertThatThrownBy(() -> sd15.ldmKey("down_blocks.0.resnets.0.bogus.weight"))
                .hasMessageContaining("down_blocks.0.resnets.0.bogus.weight");
    }
}
