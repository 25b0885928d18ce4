package dev.lycoris4j.train.network;

import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.Module;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.lycoris4j.train.network.Node.conv;
import static dev.lycoris4j.train.network.Node.layerNorm;
import static dev.lycoris4j.train.network.Node.linear;
import static dev.lycoris4j.train.network.Node.list;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The targeting rules (spec §4.2/§4.3) and our documented precedence, on a small tree. */
class NetworkPlanTest {

    /**
     * unet: blocks.0 Transformer2DModel {proj_in 1×1, attn Attention {to_q, to_k, norm}, ff FeedForward
     * {net.0.proj, net.2}}, blocks.1 ResnetBlock2D {conv1 3×3, time_emb_proj, conv_shortcut 1×1}, conv_in 3×3, head.
     */
    private static Module unet() {
        return new Node("UNet")
                .with("blocks", list("ModuleList",
                        new Node("Transformer2DModel")
                                .with("proj_in", conv(4, 4, 1))
                                .with("attn", new Node("Attention").with("to_q", linear(4, 4)).with("to_k", linear(4, 4))
                                        .with("norm", layerNorm(4)))
                                .with("ff", new Node("FeedForward").with("net", list("ModuleList",
                                        new Node("GEGLU").with("proj", linear(4, 8)), new Node("Dropout"), linear(4, 4)))),
                        new Node("ResnetBlock2D")
                                .with("conv1", conv(4, 4, 3))
                                .with("time_emb_proj", linear(4, 4))
                                .with("conv_shortcut", conv(8, 4, 1))))
                .with("conv_in", conv(4, 4, 3))
                .with("head", linear(4, 4));
    }

    private static final AdapterConfig LORA_8 = AdapterConfig.builder(Algorithm.LORA, 8, 4).build();

    private static NetworkPreset preset(boolean conv, List<String> classes, List<String> names,
                                        Map<String, ModuleConfig> byClass, Map<String, ModuleConfig> byName,
                                        boolean fnmatch, List<String> exclude) {
        return new NetworkPreset(conv, classes, names, List.of(), List.of(), byClass, byName, fnmatch, exclude);
    }

    private static NetworkPreset classes(boolean conv, String... classes) {
        return preset(conv, List.of(classes), List.of(), Map.of(), Map.of(), false, List.of());
    }

    /** path → config of every planned UNet layer. */
    private static Map<String, AdapterConfig> plan(NetworkConfig config) {
        Map<String, AdapterConfig> out = new LinkedHashMap<>();
        List<NetworkComponent> parts = List.of(new NetworkComponent("lora_unet", NetworkComponent.Role.UNET, unet(),
                ModuleNaming.DIFFUSERS));
        for (PlannedModule m : NetworkPlan.of(parts, config)) out.put(m.path(), m.config());
        return out;
    }

    @Test
    void classTargetsWrapEveryLinearAndConvBelowThemAndKohyaNamesAreAliases() {
        Map<String, AdapterConfig> p = plan(NetworkConfig.of(LORA_8, classes(false, "CrossAttention")));
        assertThat(p).containsOnlyKeys("blocks.0.attn.to_q", "blocks.0.attn.to_k");
    }

    @Test
    void withConvOffOnlyPointwiseConvsAreWrappedAndTheyUseTheLinearRank() {
        Map<String, AdapterConfig> p = plan(NetworkConfig.of(LORA_8, classes(false, "Transformer2DModel", "ResnetBlock2D"))
                .withConv(2, 1));
        assertThat(p).containsOnlyKeys("blocks.0.proj_in", "blocks.0.attn.to_q", "blocks.0.attn.to_k",
                "blocks.0.ff.net.0.proj", "blocks.0.ff.net.2", "blocks.1.time_emb_proj", "blocks.1.conv_shortcut");
        assertThat(p.get("blocks.1.conv_shortcut").dim()).isEqualTo(8);
        assertThat(p.get("blocks.1.conv_shortcut").alpha()).isEqualTo(4.0);
    }

    @Test
    void withConvOnKernelConvsUseTheConvRankAndAlpha() {
        Map<String, AdapterConfig> p = plan(NetworkConfig.of(LORA_8, classes(true, "ResnetBlock2D")).withConv(2, 1));
        assertThat(p).containsOnlyKeys("blocks.1.conv1", "blocks.1.time_emb_proj", "blocks.1.conv_shortcut");
        assertThat(p.get("blocks.1.conv1").dim()).isEqualTo(2);
        assertThat(p.get("blocks.1.conv1").alpha()).isEqualTo(1.0);
        assertThat(p.get("blocks.1.time_emb_proj").dim()).isEqualTo(8);
    }

    @Test
    void theInnermostModuleAlgoMapClassDecides() {
        Map<String, ModuleConfig> byClass = new LinkedHashMap<>();
        byClass.put("Transformer2DModel", new ModuleConfig(Algorithm.LOHA, 2, null, Map.of()));
        byClass.put("FeedForward", new ModuleConfig(Algorithm.LOKR, null, null, Map.of("factor", 2)));
        NetworkPreset pr = preset(false, List.of("Transformer2DModel"), List.of(), byClass, Map.of(), false, List.of());

        Map<String, AdapterConfig> p = plan(NetworkConfig.of(LORA_8, pr));

        assertThat(p.get("blocks.0.attn.to_q").algorithm()).isEqualTo(Algorithm.LOHA);
        assertThat(p.get("blocks.0.attn.to_q").dim()).isEqualTo(2);
        assertThat(p.get("blocks.0.ff.net.2").algorithm()).isEqualTo(Algorithm.LOKR);
        assertThat(p.get("blocks.0.ff.net.2").factor()).isEqualTo(2);
        assertThat(p.get("blocks.0.ff.net.2").dim()).isEqualTo(8); // FeedForward's entry has no dim: the network's
    }

    /** Unlike the reference (first claim wins, so the class rule would), the explicit name rule decides. */
    @Test
    void aNameAlgoMapEntryOverridesTheClassRule() {
        NetworkPreset pr = preset(false, List.of("Transformer2DModel"), List.of(),
                Map.of("Transformer2DModel", new ModuleConfig(Algorithm.LOHA, null, null, Map.of())),
                Map.of("blocks\\.0\\.attn\\.to_q", new ModuleConfig(Algorithm.FULL, null, null, Map.of())), false, List.of());

        Map<String, AdapterConfig> p = plan(NetworkConfig.of(LORA_8, pr));

        assertThat(p.get("blocks.0.attn.to_q").algorithm()).isEqualTo(Algorithm.FULL);
        assertThat(p.get("blocks.0.attn.to_k").algorithm()).isEqualTo(Algorithm.LOHA);
    }

    @Test
    void nameAlgoMapKeysAlsoSelectModulesOutsideTargets() {
        NetworkPreset pr = preset(false, List.of(), List.of(), Map.of(),
                Map.of("head", new ModuleConfig(null, 3, 0.0, Map.of())), false, List.of());
        Map<String, AdapterConfig> p = plan(NetworkConfig.of(LORA_8, pr));
        assertThat(p).containsOnlyKeys("head");
        assertThat(p.get("head").dim()).isEqualTo(3);
        assertThat(p.get("head").alpha()).isEqualTo(4.0); // alpha 0 falls back, like Python's `or`
    }

    @Test
    void nameTargetsAreRegexesAnchoredAtTheStartOnly() {
        NetworkPreset pr = preset(true, List.of(), List.of("blocks.1", "to_q"), Map.of(), Map.of(), false, List.of());
        assertThat(plan(NetworkConfig.of(LORA_8, pr)))
                .containsOnlyKeys("blocks.1.conv1", "blocks.1.time_emb_proj", "blocks.1.conv_shortcut");
    }

    @Test
    void withFnmatchNamesAreGlobsOverTheWholePath() {
        NetworkPreset pr = preset(false, List.of(), List.of("*.to_?", "blocks.1"), Map.of(), Map.of(), true, List.of());
        assertThat(plan(NetworkConfig.of(LORA_8, pr))).containsOnlyKeys("blocks.0.attn.to_q", "blocks.0.attn.to_k");
    }

    @Test
    void exclusionsWinOverEveryRule() {
        NetworkPreset pr = preset(false, List.of("Transformer2DModel"), List.of("head"), Map.of(),
                Map.of("blocks\\.0\\.attn\\.to_q", ModuleConfig.NONE), false, List.of("blocks\\.0\\.attn", "head"));
        assertThat(plan(NetworkConfig.of(LORA_8, pr)))
                .containsOnlyKeys("blocks.0.proj_in", "blocks.0.ff.net.0.proj", "blocks.0.ff.net.2");
    }

    @Test
    void aModuleConfigDimEnablesKernelConvsWhenConvIsOff() {
        NetworkPreset pr = preset(false, List.of("ResnetBlock2D"), List.of(),
                Map.of("ResnetBlock2D", new ModuleConfig(null, 2, null, Map.of())), Map.of(), false, List.of());
        Map<String, AdapterConfig> p = plan(NetworkConfig.of(LORA_8, pr).withConv(6, 1));
        assertThat(p).containsKey("blocks.1.conv1");
        assertThat(p.get("blocks.1.conv1").dim()).isEqualTo(2);
        assertThat(p.get("blocks.1.conv1").alpha()).isEqualTo(1.0);
    }

    @Test
    void trainNormWrapsNormsInsideTargetsWithNormAdapters() {
        Map<String, AdapterConfig> off = plan(NetworkConfig.of(LORA_8, classes(false, "Attention")));
        Map<String, AdapterConfig> on = plan(NetworkConfig.of(LORA_8, classes(false, "Attention")).withTrainNorm(true));
        assertThat(off).doesNotContainKey("blocks.0.attn.norm");
        assertThat(on.get("blocks.0.attn.norm").algorithm()).isEqualTo(Algorithm.NORM);
    }

    @Test
    void moduleNamesUseThePrefixAndTheFilePathWithUnderscores() {
        List<NetworkComponent> parts = List.of(
                new NetworkComponent("lora_te", NetworkComponent.Role.TEXT_ENCODER, TinyModels.clip(), ModuleNaming.DIFFUSERS),
                new NetworkComponent("lora_unet", NetworkComponent.Role.UNET, unet(), p -> "renamed." + p));
        NetworkPreset pr = new NetworkPreset(false, List.of("Attention"), List.of(), List.of("CLIPMLP"), List.of(), Map.of(),
                Map.of(), false, List.of());
        List<String> names = NetworkPlan.of(parts, NetworkConfig.of(LORA_8, pr)).stream().map(PlannedModule::name).toList();
        assertThat(names).containsExactly("lora_te_text_model_encoder_layers_0_mlp_fc1",
                "lora_te_text_model_encoder_layers_0_mlp_fc2", "lora_unet_renamed_blocks_0_attn_to_q",
                "lora_unet_renamed_blocks_0_attn_to_k");

        List<String> unetOnly = NetworkPlan.of(parts, NetworkConfig.of(LORA_8, pr).withTrainTextEncoder(false)).stream()
                .map(PlannedModule::name).toList();
        assertThat(unetOnly).containsExactly("lora_unet_renamed_blocks_0_attn_to_q", "lora_unet_renamed_blocks_0_attn_to_k");
    }

    @Test
    void twoLayersWithOneNameAreAnError() {
        List<NetworkComponent> parts = List.of(
                new NetworkComponent("lora_unet", NetworkComponent.Role.UNET, unet(), ModuleNaming.DIFFUSERS),
                new NetworkComponent("lora_unet", NetworkComponent.Role.UNET, unet(), ModuleNaming.DIFFUSERS));
        assertThatThrownBy(() -> NetworkPlan.of(parts, NetworkConfig.of(LORA_8, classes(false, "Attention"))))
                .hasMessageContaining("lora_unet_blocks_0_attn_to_q").hasMessageContaining("unique");
    }

    @Test
    void paperEraDropsOnlyTheUnetNameTargets() {
        NetworkPreset era = NetworkPreset.FULL.paperEra();
        assertThat(era.unetTargetNames()).isEmpty();
        assertThat(era.unetTargetModules()).isEqualTo(NetworkPreset.FULL.unetTargetModules());
        assertThat(era.textEncoderTargetModules()).isEqualTo(NetworkPreset.FULL.textEncoderTargetModules());
        assertThat(era.enableConv()).isTrue();
    }

    @Test
    void theIa3PresetSelectsItsNamedLayersAndScalesFeedForwardInputs() {
        NetworkConfig c = NetworkConfig.of(AdapterConfig.builder(Algorithm.IA3, 1, 0).build(), NetworkPreset.IA3);
        Map<String, AdapterConfig> p = plan(c);
        assertThat(p).containsOnlyKeys("blocks.0.attn.to_k", "blocks.0.ff.net.2");
        assertThat(p.get("blocks.0.attn.to_k").trainOnInput()).isFalse();
        assertThat(p.get("blocks.0.ff.net.2").trainOnInput()).isTrue();
    }
}
