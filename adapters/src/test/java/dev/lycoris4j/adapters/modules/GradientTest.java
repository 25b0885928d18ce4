package dev.lycoris4j.adapters.modules;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterConfig;
import dev.lycoris4j.core.nn.LayerSpec;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Training: both forwards are differentiable, and every trainable tensor gets a non-zero gradient. */
class GradientTest {
    static Stream<Arguments> variants() {
        return BypassEquivalenceTest.variants();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyParameterGetsAGradientInBothModes(String name, LayerSpec layer, AdapterConfig c) {
        for (boolean bypass : new boolean[] {false, true}) {
            torch.manual_seed(name.hashCode());
            Tensor w = Fixtures.randn(layer.weightShape());
            Adapter a = Fixtures.randomized("m", layer, c, w);
            a.setTraining(true);
            Tensor x = Fixtures.input(layer);
            Tensor y = bypass ? a.bypassForward(x, layer.apply(x, w, null), w, null, 0.7) : a.forward(x, w, null, 0.7);
            y.pow(new Scalar(2)).sum().backward();
            for (Tensor p : a.parameters()) {
                assertThat(p.requires_grad()).isTrue();
                Tensor g = p.grad();
                assertThat(g.defined()).as(name + (bypass ? " bypass" : " merged")).isTrue();
                assertThat(g.abs().max().item_double()).as(name + (bypass ? " bypass" : " merged")).isGreaterThan(0.0);
            }
        }
    }
}
