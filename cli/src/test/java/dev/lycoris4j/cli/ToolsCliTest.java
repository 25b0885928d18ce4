package dev.lycoris4j.cli;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static dev.lycoris4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code extract}, {@code convert} and {@code merge --combine} end to end, in process. */
class ToolsCliTest {
    private static final Path NET1_ADAPTER = Golden.path("lycoris/networks/net1_sd1_kohya_locon_fp16.safetensors");
    private static final Path NET1_BASE = Golden.path("lycoris/networks/net1_sd1_base_model.safetensors");
    private static final Path NET1_MERGED = Golden.path("lycoris/networks/net1_sd1_merged_model.safetensors");
    private static final Path LOHA = Golden.path("lycoris/cases/loha_r4_a2_linear.safetensors");
    private static final Path OFT = Golden.path("lycoris/cases/oft_dim4_linear.safetensors");

    @TempDir
    Path dir;

    private static void assertSameTensors(Path actual, Path expected, double abs) throws Exception {
        try (SafetensorsFile a = SafetensorsFile.open(actual); SafetensorsFile e = SafetensorsFile.open(expected)) {
            assertThat(a.names()).containsExactlyInAnyOrderElementsOf(e.names());
            for (String name : e.names()) assertClose(name, a.tensor(name), e.tensor(name), abs, 0);
        }
    }

    @Test
    void extractFullThenMergeGivesTheTunedModelBack() throws Exception {
        Path diff = dir.resolve("out/diff.safetensors");
        CliRun r = run("extract", "--base", NET1_BASE.toString(), "--tuned", NET1_MERGED.toString(), "-o", diff.toString(),
                "--mode", "full", "--dtype", "fp32");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("lora_unet_conv_in  <- unet.conv_in  full  relative error 0.000e+00")
                .contains("wrote " + diff + ": 61 modules (61 full), total relative error 0.000e+00");
        // Not a terminal: plain progress lines on stderr, first and last.
        assertThat(r.err()).startsWith("extract: 0/").contains("(100%)");

        Path merged = dir.resolve("merged.safetensors");
        CliRun m = run("merge", "--base", NET1_BASE.toString(), "--adapter", diff.toString(), "-o", merged.toString());
        assertThat(m.code()).as(m.err()).isZero();
        assertSameTensors(merged, NET1_MERGED, 0);
    }

    @Test
    void extractLowRankReportsRanksAndErrors() {
        CliRun r = run("extract", "--base", NET1_BASE.toString(), "--tuned", NET1_MERGED.toString(),
                "-o", dir.resolve("r1.safetensors").toString(), "--linear-dim", "1", "--no-tucker");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("lora_te_text_model_encoder_layers_0_mlp_fc1  <- text_encoder.text_model.encoder.layers.0.mlp.fc1  lora r=1");
    }

    @Test
    void convertReportsTheRelativeErrorPerModuleAndInTotal() throws Exception {
        Path out = dir.resolve("lora.safetensors");
        CliRun r = run("convert", LOHA.toString(), "-o", out.toString(), "--to", "lora", "--dim", "64", "--dtype", "fp32");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("lycoris_layer  <- loha  lora r=48  relative error ")
                .contains("SKIPPED io: unknown prefix").contains("total relative error ");
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertThat(f.names()).containsExactlyInAnyOrder("lycoris_layer.alpha", "lycoris_layer.lora_up.weight",
                    "lycoris_layer.lora_down.weight");
        }
    }

    @Test
    void combineThenMergeEqualsMergingBoth() throws Exception {
        Path combined = dir.resolve("combined.safetensors");
        CliRun c = run("merge", "--combine", "--adapter", NET1_ADAPTER + ":0.25", "--adapter", NET1_ADAPTER + ":0.75",
                "-o", combined.toString(), "--dtype", "fp32");
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.out()).contains("lora×0.25 + lora×0.75").contains("61 modules (61 full)");

        Path merged = dir.resolve("merged.safetensors");
        CliRun m = run("merge", "--base", NET1_BASE.toString(), "--adapter", combined.toString(), "-o", merged.toString());
        assertThat(m.code()).as(m.err()).isZero();
        assertSameTensors(merged, NET1_MERGED, 1e-5);
    }

    @Test
    void badInputIsOneLineAndExitCodeOne() {
        for (CliRun r : new CliRun[] {
                run("extract", "--base", dir.resolve("missing.safetensors").toString(), "--tuned", NET1_MERGED.toString(), "-o", "x"),
                run("convert", OFT.toString(), "-o", dir.resolve("x.safetensors").toString(), "--to", "lora", "--dim", "4")}) {
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
            assertThat(r.err()).startsWith("lycoris: ");
        }
        assertThat(run("convert", OFT.toString(), "-o", "x", "--to", "lora", "--dim", "4").err())
                .contains("module lycoris_layer (diag-oft)").contains("pass --base CKPT");
    }

    @Test
    void usageErrorsAreOneLineAndExitCodeTwo() {
        String base = NET1_BASE.toString();
        for (CliRun r : new CliRun[] {
                run("extract", "--base", base, "--tuned", base, "-o", "x", "--linear-ratio", "0.5"),
                run("extract", "--base", base, "--tuned", base, "-o", "x", "--mode", "best"),
                run("extract", "--base", base, "--tuned", base, "-o", "x", "--linear-dim", "0"),
                run("extract", "--base", base, "--tuned", base, "-o", "x", "--sparsity", "0.9"),
                run("convert", LOHA.toString(), "-o", "x", "--to", "loha", "--dim", "4"),
                run("convert", LOHA.toString(), "-o", "x", "--to", "lora", "--dim", "4", "--keys", "comfy"),
                run("merge", "--adapter", NET1_ADAPTER.toString(), "-o", "x", "--dim", "4"),
                run("merge", "--combine", "--adapter", NET1_ADAPTER.toString(), "-o", "x", "--dim", "0")}) {
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
            assertThat(r.err()).startsWith("lycoris: ").contains("--help");
        }
        assertThat(run("extract", "--base", base, "--tuned", base, "-o", "x", "--linear-ratio", "0.5").err())
                .contains("--linear-ratio applies to --mode ratio only, not fixed");
    }

    @Test
    void helpListsTheNewCommands() {
        CliRun r = run("--help");

        assertThat(r.out()).contains("extract").contains("convert").contains("lycoris extract --base")
                .contains("lycoris convert ");
        assertThat(run("merge", "--help").out()).contains("--combine").contains("lycoris merge --combine");
    }
}
