package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each layer, loaded with the reference case's base weights, reproduces the reference layer's output
 * ({@code io.y_base}, PyTorch 1.13 on CPU) within atol 1e-5 + rtol 1e-5.
 */
class LayerGoldenTest {

    private static void checkCase(String caseName, AdaptableLayer layer) throws IOException {
        try (var scope = new PointerScope();
             var file = SafetensorsFile.open(Golden.path("lycoris/cases/" + caseName + ".safetensors"))) {
            Module.LoadReport report = layer.loadStateDict(
                    Map.of("weight", file.tensor("base.weight"), "bias", file.tensor("base.bias")), true);
            assertThat(report.isClean()).isTrue();
            Tensor x = file.tensor("io.x");
            float[] expected = Tensors.toFloats(file.tensor("io.y_base"));
            Tensor y = layer.forward(x);
            assertThat(Tensors.shape(y)).as(caseName).containsExactly(Tensors.shape(file.tensor("io.y_base")));
            float[] actual = Tensors.toFloats(y);
            for (int i = 0; i < expected.length; i++) {
                double tol = 1e-5 + 1e-5 * Math.abs(expected[i]);
                assertThat(Math.abs((double) actual[i] - expected[i])).as("%s element %d", caseName, i).isLessThanOrEqualTo(tol);
            }
        }
    }

    @Test
    void layerNorm48() throws IOException {
        checkCase("norm_layernorm", new LayerNorm(48));
    }

    @Test
    void groupNorm4Groups24Channels() throws IOException {
        checkCase("norm_groupnorm", new GroupNorm(4, 24, 1e-5));
    }

    @Test
    void conv2dStride2Pad0() throws IOException {
        checkCase("lora_r4_a2_conv_stride2_pad0", new ConvNd(2, 16, 24, 3, 2, 0, true, Placement.cpu()));
    }

    @Test
    void linear64To48() throws IOException {
        checkCase("lora_r4_a2_linear", new Linear(64, 48, true));
    }
}
