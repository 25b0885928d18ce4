package dev.lycoris4j.train.estimate;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.train.network.NetworkComponent;
import dev.lycoris4j.train.network.NetworkConfig;
import dev.lycoris4j.train.network.NetworkPreset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * The LyCORIS paper's Table 5 (SD1.5, text encoder and UNet trained, fp16, paper-era presets) as
 * presets-and-sizes.md §1 reconstructs it: per row the module count, the parameter count, the file size in
 * MiB without metadata (2 decimals), and the size {@code ls -h} printed once the training metadata is added
 * (72 KiB for the 13 non-full rows, 390 KiB for the 3 full ones). Every count comes from the real adapters.
 *
 * <p>The table's parameter column counts every stored value: LoRA/LoHa/LoKr rows include one 0-d alpha per
 * module (e.g. LoRA attention dim 8: 8·Σ(in+out) over the 176 layers = 2,184,192 trained + 176 alphas = 2,184,368), so the
 * trainable count is that minus the module count; native rows store no alpha.
 */
class PaperTablesTest {
    private static final long KIB = 1024;
    private static List<NetworkComponent> sd15;

    @BeforeAll
    static void buildSd15() {
        sd15 = ModelArchitecture.sd15().buildMeta();
    }

    /** One Table 5 row. */
    record Row(String label, AdapterConfig adapter, NetworkPreset preset, int modules, long parameters, double mib,
               String lsWithMetadata) {}

    private static AdapterConfig lora(int dim) {
        return AdapterConfig.builder(Algorithm.LORA, dim, 1).build();
    }

    private static AdapterConfig loha(int dim) {
        return AdapterConfig.builder(Algorithm.LOHA, dim, 1).build();
    }

    /** The paper's LoKr runs: dim 10000 (w2 kept whole), alpha 1, the row's factor. */
    private static AdapterConfig lokr(int factor) {
        return AdapterConfig.builder(Algorithm.LOKR, 10000, 1).factor(factor).build();
    }

    private static AdapterConfig nativeFull() {
        return AdapterConfig.builder(Algorithm.FULL, 1, 1).build();
    }

    private static final NetworkPreset ATTN = NetworkPreset.ATTN_ONLY, LINEAR = NetworkPreset.ATTN_MLP,
            FULL = NetworkPreset.FULL.paperEra();

    private static void check(List<Row> rows) {
        assertSoftly(soft -> {
            for (Row r : rows) {
                AdapterEstimate e = Estimator.estimate(sd15, NetworkConfig.of(r.adapter(), r.preset()), DType.F16);
                long metadata = (r.preset() == FULL ? 390 : 72) * KIB;
                soft.assertThat(e.modules()).as(r.label() + " modules").isEqualTo(r.modules());
                soft.assertThat(e.storedValues()).as(r.label() + " stored values").isEqualTo(r.parameters());
                long alphas = r.adapter().algorithm() == Algorithm.FULL ? 0 : r.modules();
                soft.assertThat(e.parameters()).as(r.label() + " trainable").isEqualTo(r.parameters() - alphas);
                soft.assertThat(e.mebibytes()).as(r.label() + " MiB").isCloseTo(r.mib(), within(0.005));
                soft.assertThat(e.lsSize(metadata)).as(r.label() + " ls -h").isEqualTo(r.lsWithMetadata());
            }
        });
    }

    @Test
    void table5LoraRows() {
        check(List.of(
                new Row("LoRA attention dim 8", lora(8), ATTN, 176, 2_184_368, 4.24, "4.4M"),
                new Row("LoRA linear dim 8", lora(8), LINEAR, 264, 4_718_856, 9.11, "9.2M"),
                new Row("LoRA full dim 8", lora(8), FULL, 350, 9_733_982, 18.70, "20M"),
                new Row("LoRA linear dim 32", lora(32), LINEAR, 264, 18_874_632, 36.11, "37M")));
    }

    @Test
    void table5LohaRows() {
        check(List.of(
                new Row("LoHa attention dim 4", loha(4), ATTN, 176, 2_184_368, 4.28, "4.4M"),
                new Row("LoHa linear dim 4", loha(4), LINEAR, 264, 4_718_856, 9.17, "9.3M"),
                new Row("LoHa full dim 4", loha(4), FULL, 350, 9_733_982, 18.79, "20M"),
                new Row("LoHa linear dim 16", loha(16), LINEAR, 264, 18_874_632, 36.17, "37M")));
    }

    @Test
    void table5LokrRows() {
        check(List.of(
                new Row("LoKr linear factor 12", lokr(12), LINEAR, 264, 3_258_120, 6.31, "6.4M"),
                new Row("LoKr attention factor 8", lokr(8), ATTN, 176, 1_914_928, 3.72, "3.8M"),
                new Row("LoKr linear factor 8", lokr(8), LINEAR, 264, 5_515_784, 10.62, "11M"),
                new Row("LoKr full factor 8", lokr(8), FULL, 350, 14_740_574, 28.25, "29M"),
                new Row("LoKr linear factor 4", lokr(4), LINEAR, 264, 21_998_984, 42.06, "43M")));
    }

    @Test
    void table5NativeRows() {
        check(List.of(
                new Row("native attention", nativeFull(), ATTN, 176, 121_885_056, 232.51, "233M"),
                new Row("native linear", nativeFull(), LINEAR, 264, 352_157_120, 671.74, "672M"),
                new Row("native full", nativeFull(), FULL, 350, 942_264_320, 1797.30, "1.8G")));
    }

    /** LyCORIS ≥ 1.9.0 applies full's name targets: + conv_in, conv_out, time_embedding.linear_1/2 (§1, "other points"). */
    @Test
    void currentFullPresetAddsTheFourNamedLayers() {
        AdapterEstimate e = Estimator.estimate(sd15, NetworkConfig.of(lora(8), NetworkPreset.FULL), DType.F16);
        assertThat(e.modules()).isEqualTo(354);
        assertThat(e.textEncoderModules()).isEqualTo(72);
        assertThat(e.mebibytes()).isCloseTo(18.82, within(0.005));
    }

    /**
     * Every algorithm goes through the estimate. (IA)³ hand-worked: one scale per output channel of the 176
     * attention layers, 48·768 in CLIP-L plus 8 layers × C in each of the 16 transformer blocks, ΣC = 12,480,
     * = 36,864 + 99,840; its saved on_input flag is no parameter.
     */
    @Test
    void everyAlgorithmCanBeEstimated() {
        assertSoftly(soft -> {
            for (Algorithm a : Algorithm.values()) {
                // Norms are trained through train_norm, not as the algorithm; Full has its rows above.
                if (a == Algorithm.NORM || a == Algorithm.FULL) continue;
                // BOFT needs blocks that split every width (320·2^k, 768) into a power-of-two count: 768/192, 320/160.
                AdapterConfig c = AdapterConfig.builder(a, a == Algorithm.BOFT ? 256 : 4, 1).build();
                AdapterEstimate e = Estimator.estimate(sd15, NetworkConfig.of(c, ATTN), DType.F16);
                soft.assertThat(e.modules()).as(a.id()).isEqualTo(176);
                soft.assertThat(e.parameters()).as(a.id()).isPositive();
                if (a == Algorithm.IA3) soft.assertThat(e.parameters()).as("ia3").isEqualTo(36_864 + 99_840);
            }
        });
    }

    /**
     * AdamW and AdamW8bit moments for the LoRA attention dim 8 run, worked by hand. Its tensors are lora_down [8, in]
     * and lora_up [out, 8]. Each of the 16 UNet transformer blocks at width C (5 at 320, 5 at 640, 6 at 1280) has 14
     * tensors of 8·C values (self-attention q, k, v, out down and up; cross-attention q and out down and up, k and v up)
     * and 2 of 8·768 = 6,144 (cross-attention k and v down); the 12 text-encoder layers have 8 tensors of 6,144 each.
     * AdamW: 8 bytes per value. AdamW8bit: the 70 tensors of 8·320 = 2,560 values are under 4,096 and stay at 8 bytes
     * per value; the rest have whole 256-value blocks, so 2 bytes of codes per value plus 2·4 bytes per 256 values.
     */
    @Test
    void optimizerStateOfTheLoraAttentionDim8Run() {
        AdapterEstimate e = Estimator.estimate(sd15, NetworkConfig.of(lora(8), ATTN), DType.F16);
        long unet = 5 * (14 * 8 * 320 + 2 * 6144) + 5 * (14 * 8 * 640 + 2 * 6144) + 6 * (14 * 8 * 1280 + 2 * 6144);
        long textEncoder = 12 * 8 * 6144;
        assertThat(unet + textEncoder).isEqualTo(e.parameters()).isEqualTo(2_184_192);
        assertThat(e.adamWStateBytes()).isEqualTo(8 * (unet + textEncoder)).isEqualTo(17_473_536);
        long small = 70 * 8 * 320;
        long quantised = unet + textEncoder - small;
        assertThat(e.adamW8bitStateBytes()).isEqualTo(8 * small + 2 * quantised + 8 * (quantised / 256)).isEqualTo(5_506_240);
    }
}
