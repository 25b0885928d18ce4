package dev.lycoris4j.train.network;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterChain;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.nn.Linear;
import dev.lycoris4j.core.nn.NoGrad;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static dev.lycoris4j.train.network.Node.linear;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Installing, scaling, removing, merging and unmerging a network, and what it exposes for training and saving. */
class LycorisNetworkTest {
    private Linear fc1;
    private Linear toQ;
    private LycorisNetwork network;
    private Tensor x;

    @BeforeEach
    void setUp() {
        torch.manual_seed(7);
        fc1 = linear(4, 6);
        toQ = linear(4, 4);
        Node te = new Node("CLIPTextModel").with("mlp", new Node("CLIPMLP").with("fc1", fc1));
        Node unet = new Node("UNet").with("attn", new Node("Attention").with("to_q", toQ));
        List<NetworkComponent> parts = List.of(
                new NetworkComponent("lora_te", NetworkComponent.Role.TEXT_ENCODER, te, ModuleNaming.DIFFUSERS),
                new NetworkComponent("lora_unet", NetworkComponent.Role.UNET, unet, ModuleNaming.DIFFUSERS));
        NetworkPreset preset = new NetworkPreset(false, List.of("CrossAttention"), List.of(), List.of("CLIPMLP"),
                List.of(), Map.of(), Map.of(), false, List.of());
        network = LycorisNetwork.create(parts, NetworkConfig.of(AdapterConfig.builder(Algorithm.LORA, 2, 1).build(), preset));
        // A created LoRA changes nothing (lora_up starts at zero): give every factor a value so it does.
        try (NoGrad ignored = new NoGrad()) {
            for (Adapter a : network.adapters()) for (Tensor p : a.parameters()) p.copy_(torch.randn(p.sizes()));
        }
        x = torch.randn(3, 4);
    }

    private Adapter adapterOf(Linear layer) {
        return network.modules().stream().filter(m -> m.plan().layer() == layer).findFirst().orElseThrow().adapter();
    }

    @Test
    void exposesModulesParameterGroupsAndTheStateDictTextEncoderFirst() {
        assertThat(network.modules()).extracting(m -> m.plan().name())
                .containsExactly("lora_te_mlp_fc1", "lora_unet_attn_to_q");
        assertThat(network.textEncoderParameters()).containsExactlyElementsOf(adapterOf(fc1).parameters());
        assertThat(network.unetParameters()).containsExactlyElementsOf(adapterOf(toQ).parameters());
        assertThat(network.stateDict().keySet()).containsExactly(
                "lora_te_mlp_fc1.alpha", "lora_te_mlp_fc1.lora_up.weight", "lora_te_mlp_fc1.lora_down.weight",
                "lora_unet_attn_to_q.alpha", "lora_unet_attn_to_q.lora_up.weight", "lora_unet_attn_to_q.lora_down.weight");
        assertThat(Tensors.shape(network.stateDict().get("lora_te_mlp_fc1.lora_up.weight"))).containsExactly(6, 2);
    }

    @Test
    void appliedAdaptersRunInTheForwardAtTheCurrentMultiplierUntilRestored() {
        Tensor base = toQ.baseForward(x);
        network.applyTo();
        assertClose("applied", toQ.forward(x), adapterOf(toQ).forward(x, toQ.weight(), toQ.bias(), 1.0), 1e-6, 1e-6);
        assertThat(Tensors.maxAbsDiff(toQ.forward(x), base)).isGreaterThan(1e-3);

        network.setMultiplier(0.5);
        assertClose("multiplier 0.5", toQ.forward(x), adapterOf(toQ).forward(x, toQ.weight(), toQ.bias(), 0.5), 1e-6, 1e-6);
        network.setMultiplier(0);
        assertClose("multiplier 0", toQ.forward(x), base, 1e-6, 1e-6);

        network.restore();
        assertThat(toQ.forwardOverride()).isNull();
        network.setMultiplier(1);
        assertClose("restored", toQ.forward(x), base, 0, 0);
        assertThatThrownBy(() -> { network.applyTo(); network.applyTo(); }).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void mergeWritesTheAppliedResultIntoTheWeightsAndUnmergePutsThemBack() {
        Tensor w0 = toQ.weight().detach().clone();
        Tensor b0 = toQ.bias().detach().clone();
        network.setMultiplier(0.8);
        network.applyTo();
        Tensor applied = toQ.forward(x).detach().clone();

        network.merge();
        assertThat(toQ.forwardOverride()).isNull(); // merged weights are not applied a second time
        assertClose("merged forward", toQ.forward(x), applied, 1e-5, 1e-5);
        assertThatThrownBy(network::applyTo).hasMessageContaining("unmerge");

        network.unmerge();
        assertClose("weight restored", toQ.weight(), w0, 0, 0);
        assertClose("bias restored", toQ.bias(), b0, 0, 0);
    }

    @Test
    void otherAdaptersOnTheSameLayerStayWhenTheNetworkIsRestored() {
        Adapter other = adapterOf(fc1); // any adapter of a 4→6 layer stands in for another network's
        network.applyTo();
        AdapterChain.attach(fc1).add(other, 1.0);
        network.restore();
        assertThat(AdapterChain.attach(fc1).entries()).extracting(AdapterChain.Entry::adapter).containsExactly(other);
        assertClose("only the other adapter remains", fc1.forward(x), other.forward(x, fc1.weight(), fc1.bias(), 1.0), 1e-6, 1e-6);
    }
}
