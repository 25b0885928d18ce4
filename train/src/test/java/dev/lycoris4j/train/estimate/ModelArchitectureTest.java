package dev.lycoris4j.train.estimate;

import dev.lycoris4j.train.network.NetworkComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The architectures the estimator wraps, built on the meta device, have the published whole-model parameter
 * counts (sd-architecture.md): an independent check that every layer shape, hence every count, is right.
 */
class ModelArchitectureTest {

    private static long[] counts(ModelArchitecture a) {
        List<NetworkComponent> parts = a.buildMeta();
        return parts.stream().mapToLong(p -> p.root().parameterCount()).toArray();
    }

    @Test
    void fullSizeModelsHaveThePublishedParameterCounts() {
        assertThat(counts(ModelArchitecture.sd15())).containsExactly(123_060_480L, 859_520_964L);
        assertThat(counts(ModelArchitecture.sdxl())).containsExactly(123_060_480L, 694_659_840L, 2_567_463_684L);
        // SD 2.1 (no published count in the spec; hand-worked): the UNet is SD1.5's with 1024-wide instead of
        // 768-wide cross-attention keys/values, +2·256·C for each of the 16 transformer blocks, ΣC = 12,480
        // (2·320 + 2·640 + 2·1280 down, 1280 mid, 3·1280 + 3·640 + 3·320 up), and linear projections of
        // C² + C like the 1×1 convs they replace. OpenCLIP-H text with 23 layers: embeddings (49408 + 77)·1024,
        // per layer 4·(1024² + 1024) + (1024·4096 + 4096) + (4096·1024 + 1024) + 2·2·1024, final norm 2·1024.
        long unet21 = 859_520_964L + 2L * 256 * 12_480;
        long layer = 4L * (1024 * 1024 + 1024) + (1024L * 4096 + 4096) + (4096L * 1024 + 1024) + 4 * 1024;
        long textH = (49_408L + 77) * 1024 + 23 * layer + 2 * 1024;
        assertThat(counts(ModelArchitecture.sd21())).containsExactly(textH, unet21);
    }

    @Test
    void sdxlUsesKohyaPrefixesAndSgmNames() {
        List<NetworkComponent> parts = ModelArchitecture.sdxl().buildMeta();
        assertThat(parts).extracting(NetworkComponent::prefix).containsExactly("lora_te1", "lora_te2", "lora_unet");
        assertThat(parts.get(2).naming().path("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q"))
                .isEqualTo("input_blocks.4.1.transformer_blocks.0.attn1.to_q");
        assertThat(ModelArchitecture.sd15().buildMeta()).extracting(NetworkComponent::prefix)
                .containsExactly("lora_te", "lora_unet");
    }

    @Test
    void readsTheConfigsOfADiffusersFolder(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("unet"));
        Files.createDirectories(dir.resolve("text_encoder"));
        Files.writeString(dir.resolve("unet/config.json"), """
                {"in_channels": 4, "out_channels": 4, "block_out_channels": [32, 64],
                 "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
                 "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"], "layers_per_block": 1,
                 "attention_head_dim": 2, "cross_attention_dim": 16, "norm_num_groups": 8}""");
        Files.writeString(dir.resolve("text_encoder/config.json"), """
                {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2}""");

        ModelArchitecture a = ModelArchitecture.resolve(dir.toString());

        assertThat(a.sgmNames()).isFalse();
        assertThat(a.textEncoders()).hasSize(1);
        assertThat(a.unet().blockOutChannels()).containsExactly(32, 64);
        assertThat(a.buildMeta()).extracting(NetworkComponent::prefix).containsExactly("lora_te", "lora_unet");
    }

    @Test
    void rejectsWhatIsNeitherANameNorADiffusersFolder(@TempDir Path dir) {
        assertThatThrownBy(() -> ModelArchitecture.resolve("sd3"))
                .hasMessageContaining("unknown architecture 'sd3'").hasMessageContaining("sd15, sd21, sdxl");
        assertThatThrownBy(() -> ModelArchitecture.resolve(dir.toString()))
                .hasMessageContaining("not a diffusers model folder: no unet/config.json");
    }
}
