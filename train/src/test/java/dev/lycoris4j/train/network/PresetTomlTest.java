package dev.lycoris4j.train.network;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Preset files in the reference's TOML format, and the errors a bad one gets. */
class PresetTomlTest {

    @Test
    void readsTheGoldenNet2Preset() {
        NetworkPreset p = PresetToml.read(Golden.path("lycoris/networks/net2_preset.toml"));
        assertThat(p.enableConv()).isTrue();
        assertThat(p.unetTargetModules()).containsExactly("Transformer2DModel", "ResnetBlock2D", "Downsample2D", "Upsample2D");
        assertThat(p.unetTargetNames()).containsExactly("input_blocks.0.0", "out.2");
        assertThat(p.textEncoderTargetModules()).containsExactly("CLIPAttention", "CLIPMLP");
        assertThat(p.textEncoderTargetNames()).isEmpty();
        assertThat(p.moduleAlgoMap()).containsOnlyKeys("FeedForward", "CLIPMLP");
        assertThat(p.moduleAlgoMap().get("FeedForward")).isEqualTo(new ModuleConfig(Algorithm.LOKR, 100000, null, Map.of("factor", 4)));
        assertThat(p.moduleAlgoMap().get("CLIPMLP")).isEqualTo(new ModuleConfig(Algorithm.LOKR, 2, 2.0, Map.of("factor", 4)));
        assertThat(p.useFnmatch()).isFalse();
    }

    @Test
    void keysTheFileLeavesOutKeepTheFullPresetsValues(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.toml");
        Files.writeString(f, """
                enable_conv = false
                use_fnmatch = true
                exclude_name = ["*.proj_out"]
                [name_algo_map."*.attn2.*"]
                algo = "loha"
                alpha = 2
                weight_decompose = true
                """);
        NetworkPreset p = PresetToml.read(f);
        assertThat(p.enableConv()).isFalse();
        assertThat(p.unetTargetModules()).isEqualTo(NetworkPreset.FULL.unetTargetModules());
        assertThat(p.unetTargetNames()).isEqualTo(NetworkPreset.FULL.unetTargetNames());
        assertThat(p.excludeNames()).containsExactly("*.proj_out");
        assertThat(p.nameAlgoMap()).containsExactly(Map.entry("*.attn2.*",
                new ModuleConfig(Algorithm.LOHA, null, 2.0, Map.of("weight_decompose", true))));
    }

    @Test
    void builtInNamesOrAFile(@TempDir Path dir) throws Exception {
        assertThat(NetworkPreset.resolve("attn-mlp")).isSameAs(NetworkPreset.ATTN_MLP);
        assertThat(NetworkPreset.builtInNames()).containsExactly("full", "full-lin", "attn-mlp", "attn-only", "unet-only",
                "unet-transformer-only", "unet-convblock-only", "ia3");
        Path f = dir.resolve("x.toml");
        Files.writeString(f, "unet_target_module = [\"ResnetBlock2D\"]\n");
        assertThat(NetworkPreset.resolve(f.toString()).unetTargetModules()).containsExactly("ResnetBlock2D");
        assertThatThrownBy(() -> NetworkPreset.resolve(dir.resolve("missing.toml").toString()))
                .hasMessageContaining("preset file not found").hasMessageContaining("missing.toml");
    }

    private static String errorOf(Path dir, String toml) throws Exception {
        Path f = dir.resolve("bad.toml");
        Files.writeString(f, toml);
        try {
            PresetToml.read(f);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains(f.toString());
            return e.getMessage();
        }
        throw new AssertionError("no error for " + toml);
    }

    @Test
    void badFilesAreErrorsNamingTheFileAndKey(@TempDir Path dir) throws Exception {
        assertThat(errorOf(dir, "unet_target_modules = []\n")).contains("unknown preset key 'unet_target_modules'");
        assertThat(errorOf(dir, "enable_conv = \"yes\"\n")).contains("'enable_conv' must be true or false");
        assertThat(errorOf(dir, "unet_target_name = [1]\n")).contains("'unet_target_name' must hold strings");
        assertThat(errorOf(dir, "[module_algo_map.FeedForward]\nfactr = 4\n"))
                .contains("module_algo_map.FeedForward.factr is not a module option");
        assertThat(errorOf(dir, "[module_algo_map.FeedForward]\nfactor = 2.5\n"))
                .contains("module_algo_map.FeedForward.factor must be an integer");
        assertThat(errorOf(dir, "[name_algo_map.x]\nalgo = \"lorax\"\n")).contains("name_algo_map.x.algo unknown algorithm 'lorax'");
        assertThat(errorOf(dir, "unet_target_name = [\"(unclosed\"]\n")).contains("invalid module-name pattern '(unclosed'");
        assertThat(errorOf(dir, "enable_conv = \n")).contains("not valid TOML").contains("line 1");
    }

    @Test
    void moduleConfigsRejectUnknownOptionsAndWrongTypesInCodeToo() {
        assertThatThrownBy(() -> ModuleConfig.ofOptions(Map.of("factorr", 2))).hasMessageContaining("unknown module option 'factorr'");
        assertThatThrownBy(() -> ModuleConfig.ofOptions(Map.of("factor", true))).hasMessageContaining("'factor' must be integer");
        assertThat(List.copyOf(ModuleConfig.OPTIONS.keySet())).contains("train_on_input", "a1", "a2", "dora_wd");
    }
}
