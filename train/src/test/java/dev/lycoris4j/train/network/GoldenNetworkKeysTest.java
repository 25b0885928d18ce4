package dev.lycoris4j.train.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.Placement;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import dev.lycoris4j.diffusion.unet.UNet2DConditionModel;
import dev.lycoris4j.diffusion.unet.UNetConfig;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The networks the reference's kohya wrapper built on its tiny golden models (golden manifest → networks):
 * rebuilt on the same module trees with the same arguments, ours must hold the same keys, in the same state-dict
 * order, with the same shapes, the same algorithm per module and the same alpha values.
 */
class GoldenNetworkKeysTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** net1: locon, network_dim 4, alpha 2, conv_dim 2, conv_alpha 1, preset full, on an SD1-like model. */
    @Test
    void net1Sd1LoconFullPresetMatchesTheReferenceKeys() throws Exception {
        List<NetworkComponent> parts = List.of(
                new NetworkComponent("lora_te", NetworkComponent.Role.TEXT_ENCODER, TinyModels.clip(), ModuleNaming.DIFFUSERS),
                new NetworkComponent("lora_unet", NetworkComponent.Role.UNET, TinyModels.net1Unet(), ModuleNaming.DIFFUSERS));
        NetworkConfig config = NetworkConfig.of(AdapterConfig.builder(Algorithm.LORA, 4, 2.0).build(), NetworkPreset.FULL)
                .withConv(2, 1.0);
        LycorisNetwork network = LycorisNetwork.create(parts, config);

        assertMatchesGolden(network, "net1_sd1_kohya_locon");
        assertThat(network.modules()).hasSize(61); // manifest n_modules
    }

    /** net2: loha dim 4 alpha 4, conv 2/2, the TOML preset (LoKr for FeedForward and CLIPMLP), train_norm. */
    @Test
    void net2SdxlTomlPresetWithNormsMatchesTheReferenceKeys() throws Exception {
        LycorisNetwork network = LycorisNetwork.create(net2Parts(TinyModels.net2Unet(), ModuleNaming.DIFFUSERS), net2Config());

        assertMatchesGolden(network, "net2_sdxl_kohya_loha_lokr_norm");
        assertThat(network.modules()).hasSize(91);
    }

    /**
     * Our diffusers-structured UNet, named with SGM paths, gets the reference's SDXL names. The golden tree is
     * hand-made (its one up level has a single resnet, so its upsampler sits at output_blocks.0.2); a real
     * config with one resnet per down level has two per up level. Every other golden UNet module must come out
     * with the same name and algorithm, and every extra module of ours must belong to the up path's additional
     * resnets/levels.
     */
    @Test
    void ourSdxlUnetWithSgmNamesProducesTheReferenceNames() throws Exception {
        UNetConfig tiny = new UNetConfig(4, 4, new int[] {8, 16}, new String[] {"DownBlock2D", "CrossAttnDownBlock2D"},
                new String[] {"CrossAttnUpBlock2D", "UpBlock2D"}, 1, new int[] {1, 1}, new int[] {2, 2}, 12, 4, 1e-5, true,
                false, true, 0, null, 0, 0, "epsilon", 8);
        UNet2DConditionModel unet = new UNet2DConditionModel(tiny, Placement.meta());
        Map<String, Algorithm> ours = new LinkedHashMap<>();
        for (PlannedModule m : NetworkPlan.of(net2Parts(unet, ModuleNaming.sgm(tiny)), net2Config())) {
            if (m.role() == NetworkComponent.Role.UNET) ours.put(m.name(), m.config().algorithm());
        }
        Map<String, Algorithm> golden = new LinkedHashMap<>();
        goldenKeys("net2_sdxl_kohya_loha_lokr_norm").get("module_classes").fields().forEachRemaining(e -> {
            if (e.getKey().startsWith("lora_unet_")) golden.put(e.getKey(), algorithmOfModuleClass(e.getValue().asText()));
        });

        Map<String, Algorithm> expected = new LinkedHashMap<>(golden);
        expected.remove("lora_unet_output_blocks_0_2_conv");
        assertThat(ours).containsAllEntriesOf(expected);
        Set<String> extra = new TreeSet<>(ours.keySet());
        extra.removeAll(golden.keySet());
        assertThat(extra).isNotEmpty().allMatch(n -> n.startsWith("lora_unet_output_blocks_") && !n.startsWith("lora_unet_output_blocks_0_"));
        assertThat(ours).containsEntry("lora_unet_output_blocks_1_2_conv", Algorithm.LOHA);
    }

    private static List<NetworkComponent> net2Parts(dev.lycoris4j.core.nn.Module unet, ModuleNaming naming) {
        return List.of(
                new NetworkComponent("lora_te1", NetworkComponent.Role.TEXT_ENCODER, TinyModels.clip(), ModuleNaming.DIFFUSERS),
                new NetworkComponent("lora_te2", NetworkComponent.Role.TEXT_ENCODER, TinyModels.clip(), ModuleNaming.DIFFUSERS),
                new NetworkComponent("lora_unet", NetworkComponent.Role.UNET, unet, naming));
    }

    private static NetworkConfig net2Config() {
        NetworkPreset preset = PresetToml.read(Golden.path("lycoris/networks/net2_preset.toml"));
        return NetworkConfig.of(AdapterConfig.builder(Algorithm.LOHA, 4, 4.0).build(), preset).withConv(2, 2.0)
                .withTrainNorm(true);
    }

    private static Algorithm algorithmOfModuleClass(String referenceClass) {
        return switch (referenceClass) {
            case "LohaModule" -> Algorithm.LOHA;
            case "LokrModule" -> Algorithm.LOKR;
            case "NormModule" -> Algorithm.NORM;
            case "LoConModule" -> Algorithm.LORA;
            default -> throw new IllegalArgumentException("unexpected reference module class " + referenceClass);
        };
    }

    private static JsonNode goldenKeys(String network) throws Exception {
        return JSON.readTree(Golden.path("lycoris/networks/" + network + "_keys.json").toFile());
    }

    /** Same keys in the same order, same shapes, and the file's alpha values. */
    private static void assertMatchesGolden(LycorisNetwork network, String goldenName) throws Exception {
        JsonNode keys = goldenKeys(goldenName);
        List<String> order = new ArrayList<>();
        keys.get("state_dict_order").forEach(k -> order.add(k.asText()));
        Map<String, Tensor> sd = network.stateDict();
        assertThat(List.copyOf(sd.keySet())).containsExactlyElementsOf(order);
        for (String k : order) {
            long[] shape = JSON.treeToValue(keys.get("keys").get(k).get("shape"), long[].class);
            assertThat(Tensors.shape(sd.get(k))).as(k).containsExactly(shape);
        }
        JsonNode entry = null;
        for (JsonNode n : JSON.readTree(Golden.path("lycoris/manifest.json").toFile()).get("networks")) {
            if (n.get("name").asText().equals(goldenName)) entry = n;
        }
        Path file = Golden.path("lycoris/" + entry.get("adapter_file").asText());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String k : order) {
                if (!k.endsWith(".alpha")) continue;
                double stored = f.load(k, DType.F64).item_double();
                double ours = sd.get(k).to(DType.F32.scalarType()).to(f.info(k).dtype().scalarType())
                        .to(DType.F64.scalarType()).item_double();
                assertThat(ours).as(k).isEqualTo(stored);
            }
        }
    }
}
