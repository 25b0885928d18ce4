package dev.lycoris4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static dev.lycoris4j.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** The command line end to end, in process: output, exit codes and one-line errors. */
class CliTest {
    private static final Path NET1_ADAPTER = Golden.path("lycoris/networks/net1_sd1_kohya_locon_fp16.safetensors");
    private static final Path NET1_BASE = Golden.path("lycoris/networks/net1_sd1_base_model.safetensors");
    private static final Path NET1_MERGED = Golden.path("lycoris/networks/net1_sd1_merged_model.safetensors");
    private static final int NET1_MODULES = 61; // manifest n_modules

    @TempDir
    Path dir;

    @Test
    void inspectJsonFollowsTheDocumentedSchema() throws Exception {
        CliRun r = run("inspect", NET1_ADAPTER.toString(), "--json");

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("modules")).hasSize(NET1_MODULES);
        long sum = 0;
        for (JsonNode m : json.get("modules")) {
            assertThat(m.get("name").asText()).startsWith("lora_");
            assertThat(m.get("algorithm").asText()).isEqualTo("lora");
            assertThat(m.get("dtype").asText()).isEqualTo("F16");
            assertThat(m.get("hyper_parameters").has("rank")).isTrue();
            assertThat(m.get("tensors").has("lora_down.weight")).isTrue();
            sum += m.get("parameters").asLong();
        }
        assertThat(json.get("parameters").asLong()).isEqualTo(sum).isPositive();
        assertThat(json.get("algorithms").get("lora").asInt()).isEqualTo(NET1_MODULES);
        assertThat(json.get("metadata").get("ss_network_dim").asText()).isEqualTo("4");
        assertThat(json.get("unrecognized")).isEmpty();
    }

    @Test
    void inspectTextShowsModulesTotalsAndMetadata() {
        CliRun r = run("inspect", NET1_ADAPTER.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("lora_unet_conv_in").contains("rank=2").contains("scale=0.5")
                .contains("totals: " + NET1_MODULES + " modules (" + NET1_MODULES + " lora)")
                .contains("sshs_model_hash: 0x18a35210");
    }

    @Test
    void mergeEndToEndWritesTheReferenceMergeAndReportsEveryModule() throws Exception {
        Path out = dir.resolve("sub/merged.safetensors");

        CliRun r = run("merge", "--base", NET1_BASE.toString(), "--adapter", NET1_ADAPTER + ":1.0", "-o", out.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains(NET1_MODULES + " of " + NET1_MODULES + " modules matched")
                .contains("lora_unet_conv_in (lora) -> unet.conv_in.weight").doesNotContain("UNMATCHED");
        try (SafetensorsFile ours = SafetensorsFile.open(out); SafetensorsFile golden = SafetensorsFile.open(NET1_MERGED)) {
            assertThat(ours.names()).containsExactlyInAnyOrderElementsOf(golden.names());
            for (String name : golden.names()) assertClose(name, ours.tensor(name), golden.tensor(name), 1e-5, 0);
        }
    }

    @Test
    void aCorruptFileIsOneLineAndExitCodeOne() throws Exception {
        Path corrupt = dir.resolve("corrupt.safetensors");
        Files.write(corrupt, new byte[] {42, 0, 0, 0, 0, 0, 0, 0, '{'});

        for (CliRun r : new CliRun[] {run("inspect", corrupt.toString()),
                run("merge", "--base", NET1_BASE.toString(), "--adapter", corrupt.toString(), "-o", dir.resolve("m").toString()),
                run("inspect", dir.resolve("missing.safetensors").toString())}) {
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).startsWith("lycoris: ").contains(dir.toString());
        }
        assertThat(dir.resolve("m")).doesNotExist();
    }

    @Test
    void usageErrorsAreOneLineAndExitCodeTwo() {
        for (CliRun r : new CliRun[] {run("merge", "--adapter", NET1_ADAPTER.toString(), "-o", "x.safetensors"),
                run("merge", "--base", "b", "--adapter", "a", "-o", "o", "--dtype", "fp7"),
                run("frobnicate"), run()}) {
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
            assertThat(r.err()).startsWith("lycoris: ").contains("--help");
        }
    }

    @Test
    void helpListsEveryCommandWithAnExample() {
        CliRun r = run("--help");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("demo").contains("inspect").contains("merge").contains("Examples:")
                .contains("lycoris demo").contains("lycoris inspect ").contains("lycoris merge --base");
    }

    @Test
    void demoIsDeterministicPerSeedAndMergesEverything() throws Exception {
        CliRun first = run("demo", "-o", dir.resolve("a").toString(), "--seed", "7");
        CliRun again = run("demo", "-o", dir.resolve("b").toString(), "--seed", "7");
        CliRun other = run("demo", "-o", dir.resolve("c").toString(), "--seed", "8");

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("== lycoris inspect").contains("== lycoris merge").doesNotContain("UNMATCHED");
        Map<String, byte[]> a = files(dir.resolve("a"));
        assertThat(a).containsOnlyKeys("base.safetensors", "lora.safetensors", "lokr.safetensors", "merged.safetensors");
        Map<String, byte[]> b = files(dir.resolve("b"));
        Map<String, byte[]> c = files(dir.resolve("c"));
        for (String name : a.keySet()) {
            assertThat(b.get(name)).as(name).isEqualTo(a.get(name));
            assertThat(c.get(name)).as(name).isNotEqualTo(a.get(name));
        }
    }

    private static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> out = new HashMap<>();
        try (var list = Files.list(dir)) {
            for (Path p : list.toList()) out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return out;
    }
}
