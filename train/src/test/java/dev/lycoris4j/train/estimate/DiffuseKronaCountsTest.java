package dev.lycoris4j.train.estimate;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.train.network.NetworkComponent;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPlan;
import dev.lycoris4j.train.network.NetworkPreset;
import dev.lycoris4j.train.network.PlannedModule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * DiffuseKronA's Table 2 trainable-parameter counts (evaluation-reference §4.6, presets-and-sizes §2): Kronecker
 * adapters on the UNet's attention projections only (attn1/attn2 to_q, to_k, to_v, to_out.0: 560 SDXL layers,
 * 128 SD 2.1 layers), no text encoder, counted from the real adapters. The LoRA comparison rows too.
 */
class DiffuseKronaCountsTest {
    private static List<NetworkComponent> sdxl;
    private static List<NetworkComponent> sd21;

    @BeforeAll
    static void build() {
        sdxl = ModelArchitecture.sdxl().buildMeta();
        sd21 = ModelArchitecture.sd21().buildMeta();
    }

    private static AdapterEstimate unetAttention(List<NetworkComponent> model, AdapterConfig adapter) {
        NetworkConfig c = NetworkConfig.of(adapter, NetworkPreset.ATTN_ONLY).withTrainTextEncoder(false);
        return Estimator.estimate(model, c, DType.F16);
    }

    private static AdapterConfig krona(int a1, int a2) {
        return AdapterConfig.builder(Algorithm.KRONA, 1, 0).a1(a1).a2(a2).build();
    }

    /** {a1, a2, SDXL count, SD 2.1 count (0: the spec gives none)}. */
    private static final long[][] ROWS = {
            {4, 64, 3_874_560, 423_008},
            {64, 4, 3_874_560, 423_008},
            {16, 16, 3_874_560, 423_008},
            {8, 64, 2_152_320, 260_656},
            {16, 32, 2_152_320, 260_656},
            {32, 32, 1_506_240, 228_632},
            {64, 64, 2_526_960, 548_678},
            {2, 64, 7_534_080, 796_864},
            {4, 16, 14_960_640, 1_569_152},
            {128, 128, 9_233_340, 0},
    };

    @Test
    void kroneckerCountsReproduceTable2() {
        assertSoftly(soft -> {
            for (long[] r : ROWS) {
                String label = "(" + r[0] + ", " + r[1] + ")";
                AdapterEstimate xl = unetAttention(sdxl, krona((int) r[0], (int) r[1]));
                soft.assertThat(xl.modules()).as(label + " SDXL layers").isEqualTo(560);
                soft.assertThat(xl.parameters()).as(label + " SDXL").isEqualTo(r[2]);
                soft.assertThat(xl.storedValues()).as(label + " SDXL stores no constants").isEqualTo(r[2]);
                if (r[3] != 0) {
                    AdapterEstimate sd2 = unetAttention(sd21, krona((int) r[0], (int) r[1]));
                    soft.assertThat(sd2.modules()).as(label + " SD 2.1 layers").isEqualTo(128);
                    soft.assertThat(sd2.parameters()).as(label + " SD 2.1").isEqualTo(r[3]);
                }
            }
        });
    }

    /** LoRA rank r on the same layers: r·Σ(d_in + d_out) = 1,451,520·r (SDXL), 207,488·r (SD 2.1). */
    @Test
    void loraRank4OnTheSameLayers() {
        assertSoftly(soft -> {
            AdapterConfig lora = AdapterConfig.builder(Algorithm.LORA, 4, 4).build();
            soft.assertThat(unetAttention(sdxl, lora).parameters()).isEqualTo(5_806_080L);
            soft.assertThat(unetAttention(sd21, lora).parameters()).isEqualTo(829_952L);
        });
    }

    /**
     * SDXL with the kohya presets (TE1 + TE2 + UNet with SAI names, presets-and-sizes §1 "other points"):
     * attn-only 736 modules (48 + 128 + 560), attn-mlp 986 (72 + 192 + 722), full 1052 (kohya's SAI-named UNet
     * has no conv_in/time_embedding names for the preset's name targets); LoRA dim 8 full = 61.1 MiB.
     */
    @Test
    void sdxlPresetModuleCountsAndLoraSize() {
        AdapterConfig lora = AdapterConfig.builder(Algorithm.LORA, 8, 1).build();
        Object[][] rows = {{"attn-only", 48 + 128, 560}, {"attn-mlp", 72 + 192, 722}, {"full", 72 + 192, 788}};
        assertSoftly(soft -> {
            for (Object[] r : rows) {
                NetworkConfig c = NetworkConfig.of(lora, NetworkPreset.builtIn((String) r[0]));
                List<PlannedModule> plan = NetworkPlan.of(sdxl, c);
                soft.assertThat(plan.stream().filter(m -> m.role() == NetworkComponent.Role.TEXT_ENCODER).count())
                        .as(r[0] + " TE").isEqualTo(((Integer) r[1]).longValue());
                soft.assertThat(plan.stream().filter(m -> m.role() == NetworkComponent.Role.UNET).count())
                        .as(r[0] + " UNet").isEqualTo(((Integer) r[2]).longValue());
            }
            AdapterEstimate full = Estimator.estimate(sdxl, NetworkConfig.of(lora, NetworkPreset.FULL), DType.F16);
            soft.assertThat(full.mebibytes()).as("LoRA dim 8 full MiB").isCloseTo(61.1, within(0.05));
        });
    }
}
