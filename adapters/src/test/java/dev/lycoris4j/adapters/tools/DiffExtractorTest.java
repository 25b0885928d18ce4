package dev.lycoris4j.adapters.tools;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.AdapterModule;
import dev.lycoris4j.adapters.merge.MergeReport;
import dev.lycoris4j.adapters.merge.Merger;
import dev.lycoris4j.adapters.merge.WeightedAdapter;
import dev.lycoris4j.adapters.tools.RankRule.Mode;
import dev.lycoris4j.adapters.tools.ToolReport.ModuleResult;
import dev.lycoris4j.adapters.tools.ToolReport.Storage;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.safetensors.SafetensorsException;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** {@code extract} on a small seeded model with every kind of layer, against independently computed expectations. */
class DiffExtractorTest {
    private static final String LIN = "unet.blocks.0.proj";
    private static final String CONV = "unet.blocks.0.conv";
    private static final String PW = "unet.blocks.0.pw";
    private static final String NORM = "unet.blocks.0.norm";
    private static final String SAME = "unet.blocks.0.same";
    private static final String EMB = "text_encoder.text_model.embeddings.token_embedding";
    private static final String FC = "text_encoder.text_model.encoder.layers.0.mlp.fc1";

    @TempDir
    Path dir;
    private Path base;
    private Path tuned;
    private Map<String, Tensor> baseTensors;
    private Map<String, Tensor> tunedTensors;
    private NoGrad noGrad;

    @BeforeEach
    void writeModels() throws Exception {
        noGrad = new NoGrad();
        Random rng = new Random(7);
        baseTensors = new LinkedHashMap<>();
        baseTensors.put(LIN + ".weight", Fixture.random(rng, 1, 40, 24));
        baseTensors.put(LIN + ".bias", Fixture.random(rng, 1, 40));
        baseTensors.put(CONV + ".weight", Fixture.random(rng, 1, 32, 8, 3, 3));
        baseTensors.put(CONV + ".bias", Fixture.random(rng, 1, 32));
        baseTensors.put(PW + ".weight", Fixture.random(rng, 1, 24, 16, 1, 1));
        baseTensors.put(NORM + ".weight", Fixture.random(rng, 1, 16));
        baseTensors.put(NORM + ".bias", Fixture.random(rng, 1, 16));
        baseTensors.put(SAME + ".weight", Fixture.random(rng, 1, 8, 8));
        baseTensors.put(EMB + ".weight", Fixture.random(rng, 1, 50, 12));
        baseTensors.put(FC + ".weight", Fixture.random(rng, 1, 24, 12));
        baseTensors.put(FC + ".bias", Fixture.random(rng, 1, 24));
        baseTensors.put("logit_scale", Fixture.random(rng, 1, 1));
        tunedTensors = new LinkedHashMap<>(baseTensors);
        for (String key : List.of(LIN + ".weight", CONV + ".weight", PW + ".weight", NORM + ".weight", NORM + ".bias",
                EMB + ".weight", FC + ".weight", FC + ".bias", "logit_scale")) {
            Tensor b = baseTensors.get(key);
            tunedTensors.put(key, b.add(Fixture.random(rng, 0.1, Tensors.shape(b))));
        }
        base = dir.resolve("base.safetensors");
        tuned = dir.resolve("tuned.safetensors");
        Fixture.write(base, baseTensors);
        Fixture.write(tuned, tunedTensors);
    }

    @AfterEach
    void close() {
        noGrad.close();
    }

    private ToolReport extract(ExtractOptions options, Path out) throws Exception {
        return DiffExtractor.extract(base, tuned, out, options, Progress.NONE);
    }

    private Tensor delta(String path) {
        return tunedTensors.get(path + ".weight").sub(baseTensors.get(path + ".weight"));
    }

    private static ModuleResult result(ToolReport report, String name) {
        return report.written().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no module " + name + " in " + report.text()));
    }

    private static Map<String, Tensor> module(Path file, String name) throws Exception {
        return AdapterFile.read(file).modules().stream().filter(m -> m.name().equals(name)).findFirst()
                .map(AdapterModule::tensors).orElseThrow(() -> new AssertionError("no module " + name));
    }

    /** ‖D − up·down‖_F in doubles, from the written factors. */
    private static double lowRankError(Tensor d, Map<String, Tensor> t) {
        int rows = (int) d.size(0);
        int cols = Fixture.cols(d);
        int r = (int) t.get("lora_down.weight").size(0);
        double[] up = Tensors.toDoubles(t.get("lora_up.weight"));
        double[] down = Tensors.toDoubles(t.get("lora_down.weight"));
        double[] dd = Fixture.matrix(d);
        double error = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double v = dd[i * cols + j];
                for (int a = 0; a < r; a++) v -= up[i * r + a] * down[a * cols + j];
                error += v * v;
            }
        }
        return Math.sqrt(error);
    }

    private double[] sigma(String path) {
        Tensor d = delta(path);
        return Spectra.singularValues(Fixture.matrix(d), (int) d.size(0), Fixture.cols(d));
    }

    @Test
    void fixedRanksGiveTheBestApproximationOfEachRank() throws Exception {
        Path out = dir.resolve("fixed.safetensors");
        ToolReport report = extract(ExtractOptions.of(new RankRule(Mode.FIXED, 3, 2)).withTucker(false).withDtype(DType.F32), out);

        Map<String, Integer> expectedRank = Map.of("lora_unet_blocks_0_proj", 3, "lora_unet_blocks_0_pw", 3,
                "lora_te_text_model_encoder_layers_0_mlp_fc1", 3, "lora_unet_blocks_0_conv", 2);
        for (Map.Entry<String, Integer> e : expectedRank.entrySet()) {
            ModuleResult r = result(report, e.getKey());
            assertThat(r.storage()).isEqualTo(Storage.LORA);
            assertThat(r.rank()).isEqualTo((long) e.getValue());
            Map<String, Tensor> t = module(out, e.getKey());
            assertThat(Tensors.toDoubles(t.get("alpha"))).containsExactly(e.getValue());
            assertThat(Tensors.shape(t.get("lora_down.weight"))).containsExactly(
                    Tensors.shape(baseTensors.get(r.source() + ".weight")).length == 4
                            ? new long[] {e.getValue(), baseTensors.get(r.source() + ".weight").size(1),
                                    baseTensors.get(r.source() + ".weight").size(2), baseTensors.get(r.source() + ".weight").size(3)}
                            : new long[] {e.getValue(), baseTensors.get(r.source() + ".weight").size(1)});
            double bound = Spectra.eckartYoungError(sigma(r.source()), e.getValue());
            assertThat(lowRankError(delta(r.source()), t)).as(e.getKey()).isCloseTo(bound, within(1e-4 * bound));
            assertThat(r.errorNorm()).as(e.getKey()).isCloseTo(bound, within(1e-4 * bound));
        }
        // Norms and embeddings only in full mode; the bias change of fc1 cannot go into a LoRA.
        assertThat(report.skipped()).extracting(ToolReport.Skipped::name).containsExactlyInAnyOrder(NORM, EMB);
        assertThat(report.skipped()).allSatisfy(s -> assertThat(s.reason()).contains("full mode only"));
        assertThat(result(report, "lora_te_text_model_encoder_layers_0_mlp_fc1").notes())
                .containsExactly("bias change dropped: LoRA has no bias");
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("belonging to no module").contains("logit_scale"));
    }

    /** Threshold, ratio and quantile give the ranks their rules give on σ computed here (hand rules, spec §5.1). */
    @Test
    void thresholdRatioAndQuantilePickTheirRanks() throws Exception {
        double[] lin = sigma(LIN);
        double[] conv = sigma(CONV);
        double cut = (lin[2] + lin[3]) / 2;        // three singular values of proj above it
        double convCut = (conv[1] + conv[2]) / 2;  // two of conv's
        List<RankRule> rules = List.of(
                new RankRule(Mode.THRESHOLD, cut, convCut),
                new RankRule(Mode.RATIO, cut / lin[0], convCut / conv[0]),
                new RankRule(Mode.QUANTILE, partialSumShare(lin, 3), partialSumShare(conv, 2)));
        for (RankRule rule : rules) {
            ToolReport report = extract(ExtractOptions.of(rule).withTucker(false).withDtype(DType.F32),
                    dir.resolve(rule.mode().id() + ".safetensors"));
            assertThat(result(report, "lora_unet_blocks_0_proj").rank()).as(rule.mode().id()).isEqualTo(3);
            assertThat(result(report, "lora_unet_blocks_0_conv").rank()).as(rule.mode().id()).isEqualTo(2);
        }
    }

    /** A quantile between the partial sums of the first k and k+1 singular values, as a share of Σσ. */
    private static double partialSumShare(double[] sigma, int k) {
        double total = Arrays.stream(sigma).sum();
        double below = 0;
        for (int i = 0; i < k; i++) below += sigma[i];
        return (below + sigma[k] / 2) / total;
    }

    @Test
    void aRankOfHalfTheOutputsOrMoreStoresTheChangeWhole() throws Exception {
        Path out = dir.resolve("big.safetensors");
        ToolReport report = extract(ExtractOptions.of(new RankRule(Mode.FIXED, 20, 1)).withDtype(DType.F32), out);

        ModuleResult proj = result(report, "lora_unet_blocks_0_proj"); // 20 ≥ 40/2
        assertThat(proj.storage()).isEqualTo(Storage.FULL);
        assertThat(proj.notes()).containsExactly("rank 20 ≥ out/2, stored whole");
        ModuleResult fc1 = result(report, "lora_te_text_model_encoder_layers_0_mlp_fc1"); // clamped to min(24, 12) = 12 ≥ 24/2
        assertThat(fc1.storage()).isEqualTo(Storage.FULL);
        assertThat(module(out, fc1.name()).keySet()).containsExactlyInAnyOrder("diff", "diff_b");
        assertThat(result(report, "lora_unet_blocks_0_conv").storage()).isEqualTo(Storage.LORA);
    }

    @Test
    void fullModeStoresEveryKindAndMergesBackExactly() throws Exception {
        Path out = dir.resolve("full.safetensors");
        ToolReport report = extract(ExtractOptions.of(RankRule.full()).withDtype(DType.F32), out);

        assertThat(report.written()).extracting(ModuleResult::source)
                .containsExactlyInAnyOrder(LIN, CONV, PW, NORM, EMB, FC);
        assertThat(module(out, "lora_unet_blocks_0_proj").keySet()).containsExactly("diff");
        assertThat(module(out, "lora_unet_blocks_0_norm").keySet()).containsExactlyInAnyOrder("w_norm", "b_norm");
        assertThat(module(out, "lora_te_text_model_embeddings_token_embedding").keySet()).containsExactly("diff");
        Map<String, Tensor> fc1 = module(out, "lora_te_text_model_encoder_layers_0_mlp_fc1");
        assertThat(fc1.get("diff_b").equal(tunedTensors.get(FC + ".bias").sub(baseTensors.get(FC + ".bias")))).isTrue();
        assertThat(report.notes()).contains("1 of 7 modules unchanged");

        Path merged = dir.resolve("merged.safetensors");
        MergeReport m = Merger.merge(base, List.of(new WeightedAdapter(AdapterFile.read(out), 1.0)), merged, null);
        assertThat(m.allMatched()).isTrue();
        Map<String, Tensor> result = Fixture.read(merged);
        for (String key : baseTensors.keySet()) {
            if (key.equals("logit_scale")) continue; // not a module: reported, not extracted
            float[] a = Tensors.toFloats(baseTensors.get(key));
            float[] b = Tensors.toFloats(tunedTensors.get(key));
            float[] o = Tensors.toFloats(result.get(key));
            for (int i = 0; i < b.length; i++) {
                if (a[i] + (b[i] - a[i]) == b[i]) assertThat(o[i]).as(key + "[" + i + "]").isEqualTo(b[i]);
            }
        }
    }

    /** Tucker (the default): down (r, in, 1, 1) and mid (r, r, k, k), whose product the report's error is measured on. */
    @Test
    void tuckerSplitsKxKConvsAndReportsTheErrorOfWhatItWrote() throws Exception {
        Path out = dir.resolve("tucker.safetensors");
        ToolReport report = extract(ExtractOptions.of(new RankRule(Mode.FIXED, 3, 2)).withDtype(DType.F32), out);

        Map<String, Tensor> conv = module(out, "lora_unet_blocks_0_conv");
        assertThat(Tensors.shape(conv.get("lora_down.weight"))).containsExactly(2, 8, 1, 1);
        assertThat(Tensors.shape(conv.get("lora_mid.weight"))).containsExactly(2, 2, 3, 3);
        assertThat(Tensors.shape(conv.get("lora_up.weight"))).containsExactly(32, 2, 1, 1);
        assertThat(module(out, "lora_unet_blocks_0_pw")).doesNotContainKey("lora_mid.weight");

        // ΔW[o,i,u,v] = Σ_a Σ_b up[o,a]·mid[a,b,u,v]·down[b,i], worked out in doubles.
        double[] up = Tensors.toDoubles(conv.get("lora_up.weight"));
        double[] mid = Tensors.toDoubles(conv.get("lora_mid.weight"));
        double[] down = Tensors.toDoubles(conv.get("lora_down.weight"));
        double[] d = Fixture.matrix(delta(CONV));
        double error = 0;
        for (int o = 0; o < 32; o++) {
            for (int i = 0; i < 8; i++) {
                for (int k = 0; k < 9; k++) {
                    double v = 0;
                    for (int a = 0; a < 2; a++) {
                        for (int b = 0; b < 2; b++) v += up[o * 2 + a] * mid[(a * 2 + b) * 9 + k] * down[b * 8 + i];
                    }
                    double e = d[(o * 8 + i) * 9 + k] - v;
                    error += e * e;
                }
            }
        }
        ModuleResult r = result(report, "lora_unet_blocks_0_conv");
        assertThat(r.errorNorm()).isCloseTo(Math.sqrt(error), within(1e-5 * Math.sqrt(error)));
        assertThat(r.errorNorm()).isGreaterThanOrEqualTo(Spectra.eckartYoungError(sigma(CONV), 2) * (1 - 1e-5));
    }

    /**
     * The residual's entries at or above its 0.9-quantile: with n distinct magnitudes and p = 0.9·(n − 1), the
     * quantile lies in (|R|₍⌊p⌋₎, |R|₍⌈p⌉₎], so exactly n − ⌈p⌉ entries are kept — the largest ones.
     */
    @Test
    void sparseResidualKeepsTheLargestEntriesInCoordinateForm() throws Exception {
        Path out = dir.resolve("sparse.safetensors");
        ToolReport report = extract(ExtractOptions.of(new RankRule(Mode.FIXED, 3, 2)).withSparseBias(true, 0.9)
                .withDtype(DType.F32), out);

        Map<String, Tensor> t = Fixture.read(out);
        String name = "lora_unet_blocks_0_proj";
        Tensor indices = t.get(name + ".bias_indices");
        Tensor values = t.get(name + ".bias_values");
        assertThat(Tensors.dtype(indices)).isEqualTo(DType.I16);
        assertThat(Tensors.dtype(values)).isEqualTo(DType.F16);
        assertThat(Tensors.dtype(t.get(name + ".bias_size"))).isEqualTo(DType.I16);
        assertThat(Tensors.toLongs(t.get(name + ".bias_size"))).containsExactly(40, 24);
        int n = 40 * 24;
        int kept = n - (int) Math.ceil(0.9 * (n - 1));
        assertThat(Tensors.shape(indices)).containsExactly(2, kept);

        // The residual D − up·down, in doubles from the written factors.
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String suffix : List.of("lora_up.weight", "lora_down.weight")) m.put(suffix, t.get(name + "." + suffix));
        double[] d = Fixture.matrix(delta(LIN));
        double[] up = Tensors.toDoubles(m.get("lora_up.weight"));
        double[] down = Tensors.toDoubles(m.get("lora_down.weight"));
        double[] residual = new double[n];
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 24; j++) {
                double v = d[i * 24 + j];
                for (int a = 0; a < 3; a++) v -= up[i * 3 + a] * down[a * 24 + j];
                residual[i * 24 + j] = v;
            }
        }
        long[] idx = Tensors.toLongs(indices);
        double[] stored = Tensors.toDoubles(values);
        boolean[] isKept = new boolean[n];
        double smallestKept = Double.MAX_VALUE;
        for (int k = 0; k < kept; k++) {
            int flat = (int) (idx[k] * 24 + idx[kept + k]);
            if (k > 0) assertThat(flat).isGreaterThan((int) (idx[k - 1] * 24 + idx[kept + k - 1])); // row-major
            isKept[flat] = true;
            assertThat(stored[k]).isCloseTo(residual[flat], within(1e-3 * Math.abs(residual[flat]) + 1e-7));
            smallestKept = Math.min(smallestKept, Math.abs(residual[flat]));
        }
        for (int i = 0; i < n; i++) {
            if (!isKept[i]) assertThat(Math.abs(residual[i])).isLessThanOrEqualTo(smallestKept);
        }
        assertThat(result(report, name).notes()).anySatisfy(s -> assertThat(s).contains("sparse residual of " + kept));
    }

    @Test
    void defaultsWriteFp16WithAlphaOfShapeOne() throws Exception {
        Path out = dir.resolve("fp16.safetensors");
        ToolReport report = extract(ExtractOptions.of(new RankRule(Mode.FIXED, 3, 2)), out);

        Map<String, Tensor> t = Fixture.read(out);
        assertThat(t.values()).allSatisfy(x -> assertThat(Tensors.dtype(x)).isEqualTo(DType.F16));
        assertThat(Tensors.shape(t.get("lora_unet_blocks_0_proj.alpha"))).containsExactly(1);
        // fp16 factors cost precision, and the report measures it on what was written.
        ModuleResult r = result(report, "lora_unet_blocks_0_proj");
        double bound = Spectra.eckartYoungError(sigma(LIN), 3);
        assertThat(r.errorNorm()).isGreaterThan(bound).isCloseTo(bound, within(1e-2 * bound));
        assertThat(AdapterFile.read(out).metadata()).containsKey("sshs_model_hash")
                .containsEntry("lycoris4j_extract", "mode=fixed linear=3.0 conv=2.0 tucker=true dtype=F16");
    }

    /** Each component's modules get its kohya prefix, and merging the file into the base gives the tuned model. */
    @Test
    void namesFollowTheComponentAndMergeBackIntoTheBase() throws Exception {
        Random rng = new Random(11);
        Map<String, Tensor> b = new LinkedHashMap<>();
        for (String path : List.of("unet.mid.attn.to_q", "text_encoder.text_model.fc1", "text_encoder_2.text_model.fc1",
                "transformer.x_embedder", "vae.decoder.conv_in")) {
            b.put(path + ".weight", Fixture.random(rng, 1, 12, 10));
        }
        Map<String, Tensor> t = new LinkedHashMap<>();
        // Rank-2 changes: a rank-2 extraction holds them up to rounding.
        b.forEach((k, v) -> t.put(k, v.add(Fixture.random(rng, 0.3, 12, 2).matmul(Fixture.random(rng, 0.3, 2, 10)))));
        Path b2 = dir.resolve("b2.safetensors");
        Path t2 = dir.resolve("t2.safetensors");
        Fixture.write(b2, b);
        Fixture.write(t2, t);
        Path out = dir.resolve("named.safetensors");
        List<String> progress = new ArrayList<>();
        ToolReport report = DiffExtractor.extract(b2, t2, out,
                ExtractOptions.of(new RankRule(Mode.FIXED, 2, 2)).withDtype(DType.F32),
                (done, total, current) -> progress.add(done + "/" + total + " " + current));

        // Text encoders first, then the UNet, then generic modules; the base file's order within each.
        assertThat(report.written()).extracting(ModuleResult::name).containsExactly(
                "lora_te1_text_model_fc1", "lora_te2_text_model_fc1", "lora_unet_x_embedder",
                "lora_unet_mid_attn_to_q", "lycoris_vae_decoder_conv_in");
        assertThat(progress).first().isEqualTo("0/5 text_encoder.text_model.fc1");
        assertThat(progress).last().isEqualTo("5/5 ");
        Path merged = dir.resolve("named-merged.safetensors");
        MergeReport m = Merger.merge(b2, List.of(new WeightedAdapter(AdapterFile.read(out), 1.0)), merged, null);
        assertThat(m.allMatched()).isTrue();
        Map<String, Tensor> result = Fixture.read(merged);
        for (String key : t.keySet()) assertClose(key, result.get(key), t.get(key), 1e-5, 0);
    }

    @Test
    void mismatchedAndMissingModulesAreReportedNotFatal() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>(tunedTensors);
        t.put(LIN + ".weight", Fixture.random(new Random(3), 1, 40, 25));
        t.remove(PW + ".weight");
        t.put("unet.extra.weight", Fixture.random(new Random(4), 1, 4, 4));
        Fixture.write(tuned, t);
        ToolReport report = extract(ExtractOptions.of(new RankRule(Mode.FIXED, 3, 2)), dir.resolve("partial.safetensors"));

        assertThat(report.skipped()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo(LIN);
            assertThat(s.reason()).isEqualTo("shape [40, 24] in the base but [40, 25] in the tuned checkpoint");
        });
        assertThat(report.skipped()).anySatisfy(s -> assertThat(s.reason()).isEqualTo("missing from the tuned checkpoint"));
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("1 tensors only in the tuned checkpoint")
                .contains("unet.extra.weight"));
    }

    @Test
    void anUnreadableCheckpointFailsNamingTheFile() {
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> DiffExtractor.extract(missing, tuned, dir.resolve("x.safetensors"),
                ExtractOptions.of(RankRule.full()), Progress.NONE))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("nope.safetensors");
    }
}
