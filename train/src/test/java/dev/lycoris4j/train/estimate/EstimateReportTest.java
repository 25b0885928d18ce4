package dev.lycoris4j.train.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPreset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What `lycoris estimate` prints for an estimate (the numbers are made up; the tables tests check real ones). */
class EstimateReportTest {
    private static final AdapterEstimate ESTIMATE = new AdapterEstimate(48, 128, 2_184_192, 2_184_368, 528, 4_443_816, DType.F16,
            17_473_536, 5_506_240);

    @Test
    void jsonHasTheCountsAndWhatWasEstimated() throws Exception {
        NetworkConfig c = NetworkConfig.of(AdapterConfig.builder(Algorithm.LORA, 8, 1).build(), NetworkPreset.ATTN_ONLY);
        JsonNode j = new ObjectMapper().readTree(new EstimateReport("sd15", "attn-only", c, ESTIMATE).json());
        assertThat(j.get("modules").asInt()).isEqualTo(176);
        assertThat(j.get("parameters").asLong()).isEqualTo(2_184_192);
        assertThat(j.get("stored_values").asLong()).isEqualTo(2_184_368);
        assertThat(j.get("bytes").asLong()).isEqualTo(4_443_816);
        assertThat(j.get("size").asText()).isEqualTo("4.3M"); // 4.238 MiB rounded up to tenths
        assertThat(j.get("algorithm").asText()).isEqualTo("lora");
        assertThat(j.get("conv_dim").asInt()).isEqualTo(8);
        assertThat(j.get("dtype").asText()).isEqualTo("F16");
        assertThat(j.get("adamw_state_bytes").asLong()).isEqualTo(17_473_536);
        assertThat(j.get("adamw8bit_state_bytes").asLong()).isEqualTo(5_506_240);
    }

    @Test
    void textNamesTheSettingsThatShapeTheTensors() {
        NetworkConfig krona = NetworkConfig.of(AdapterConfig.builder(Algorithm.KRONA, 1, 0).a1(4).a2(64).build(),
                NetworkPreset.ATTN_ONLY).withTrainTextEncoder(false);
        String text = new EstimateReport("sdxl", "attn-only", krona, ESTIMATE).text();
        assertThat(text).startsWith("sdxl, krona a1 4 a2 64, preset attn-only, UNet only\n");
        assertThat(text).contains("modules     176 (text encoder 48, UNet 128)");
        assertThat(text).contains("2,184,192 trainable (2,184,368 values stored with the alphas)");
        assertThat(text).contains("4,443,816 bytes = 4.24 MiB (ls -h: 4.3M), F16");
        assertThat(text).contains("optimizer   AdamW 17,473,536 bytes = 16.66 MiB, AdamW8bit 5,506,240 bytes = 5.25 MiB (0.32×)");
    }
}
