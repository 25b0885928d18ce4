package dev.lycoris4j.core.nn;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModuleTreeTest {

    /** A module with its own integer buffer, a ModuleList of Linears, a LayerNorm and a Conv2d. */
    static final class Tiny extends Module {
        final ModuleList<Linear> layers;
        final LayerNorm norm;
        final ConvNd conv;

        Tiny(Placement placement) {
            buffer("position_ids", Tensors.fromLongs(new long[] {0, 1, 2}, 1, 3));
            layers = register("layers", new ModuleList<>(List.of(
                    new Linear(4, 8, true, placement), new Linear(8, 4, false, placement))));
            norm = register("norm", new LayerNorm(new long[] {4}, 1e-5, true, placement));
            conv = register("conv", new ConvNd(2, 3, 6, 3, 1, 1, true, placement));
        }
    }

    /** A new tensor of t's shape and dtype holding {@code value} everywhere. */
    static Tensor filledLike(Tensor t, double value) {
        Tensor c = t.detach().clone();
        c.fill_(new Scalar(value)); // returns a borrowed handle: keep c itself
        return c;
    }

    @Test
    void stateDictHasPyTorchsNamesInPyTorchsOrder() {
        try (var scope = new PointerScope()) {
            Tiny m = new Tiny(Placement.cpu());
            // PyTorch: a module's own parameters and buffers first, then each child's, depth first.
            assertThat(m.stateDict().keySet()).containsExactly(
                    "position_ids",
                    "layers.0.weight", "layers.0.bias", "layers.1.weight",
                    "norm.weight", "norm.bias",
                    "conv.weight", "conv.bias");
            assertThat(m.namedParameters().keySet()).doesNotContain("position_ids").hasSize(7);
            assertThat(m.namedModules().keySet()).containsExactly("", "layers", "layers.0", "layers.1", "norm", "conv");
            assertThat(m.find("layers.1")).isSameAs(m.layers.get(1));
            assertThat(m.find("layers.2")).isNull();
            assertThat(m.find("conv").typeName()).isEqualTo("Conv2d");
            assertThat(m.layers.typeName()).isEqualTo("ModuleList");
            assertThat(m.layers.get(0).typeName()).isEqualTo("Linear");
            assertThat(m.norm.typeName()).isEqualTo("LayerNorm");
            assertThat(m.layers.get(1).bias()).isNull();
            assertThat(Tensors.shape(m.conv.weight())).containsExactly(6, 3, 3, 3);
            // 4*8+8 + 8*4 + 4+4 + 6*3*3*3+6
            assertThat(m.parameterCount()).isEqualTo(40 + 32 + 8 + 168);
        }
    }

    @Test
    void loadReportsMissingUnexpectedAndMismatchedKeysAndLoadsTheRest() {
        try (var scope = new PointerScope()) {
            Tiny m = new Tiny(Placement.cpu());
            Map<String, Tensor> source = new LinkedHashMap<>();
            for (var e : m.stateDict().entrySet()) source.put(e.getKey(), filledLike(e.getValue(), 7));
            source.remove("norm.bias");
            source.put("norm.extra", Tensors.fromFloats(new float[] {1}, 1));
            source.put("layers.1.weight", Tensors.fromFloats(new float[4], 2, 2));

            Module.LoadReport report = m.loadStateDict(source, false);

            assertThat(report.missing()).containsExactly("norm.bias");
            assertThat(report.unexpected()).containsExactly("norm.extra");
            assertThat(report.shapeMismatched()).singleElement().asString()
                    .startsWith("layers.1.weight").contains("[2, 2]").contains("[4, 8]");
            assertThat(report.isClean()).isFalse();
            assertThat(Tensors.toFloats(m.conv.weight())).containsOnly(7f);
            assertThat(Tensors.toLongs(m.stateDict().get("position_ids"))).containsOnly(7L);
            assertThat(Tensors.toFloats(m.norm.bias())).containsOnly(0f);
            assertThat(Tensors.toFloats(m.layers.get(1).weight())).doesNotContain(7f);
        }
    }

    @Test
    void strictLoadThrowsAndChangesNothing() {
        try (var scope = new PointerScope()) {
            Tiny m = new Tiny(Placement.cpu());
            Map<String, float[]> before = new LinkedHashMap<>();
            Map<String, Tensor> source = new LinkedHashMap<>();
            for (var e : m.stateDict().entrySet()) {
                before.put(e.getKey(), Tensors.toFloats(e.getValue()));
                source.put(e.getKey(), filledLike(e.getValue(), 3));
            }
            source.put("unexpected.key", Tensors.fromFloats(new float[] {1}, 1));

            assertThatThrownBy(() -> m.loadStateDict(source, true))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("unexpected.key");
            for (var e : m.stateDict().entrySet()) {
                assertThat(Tensors.toFloats(e.getValue())).as(e.getKey()).containsExactly(before.get(e.getKey()));
            }

            source.remove("unexpected.key");
            assertThat(m.loadStateDict(source, true).isClean()).isTrue();
            assertThat(Tensors.toFloats(m.norm.weight())).containsOnly(3f);
        }
    }

    @Test
    void dtypeMoveKeepsTrainabilityAndIntegerBuffersAndRoundTrips() {
        try (var scope = new PointerScope()) {
            Tiny m = new Tiny(Placement.cpu());
            m.norm.requiresGrad(false);
            Map<String, float[]> before = new LinkedHashMap<>();
            for (var e : m.stateDict().entrySet()) before.put(e.getKey(), Tensors.toFloats(e.getValue()));

            m.to(DType.F64);
            for (var e : m.namedParameters().entrySet()) {
                assertThat(Tensors.dtype(e.getValue())).as(e.getKey()).isEqualTo(DType.F64);
                assertThat(e.getValue().requires_grad()).as(e.getKey()).isEqualTo(!e.getKey().startsWith("norm."));
                assertThat(e.getValue().is_leaf()).as(e.getKey()).isTrue();
            }
            assertThat(Tensors.dtype(m.stateDict().get("position_ids"))).isEqualTo(DType.I64);
            // The layers' accessors see the replaced tensors.
            assertThat(Tensors.dtype(m.conv.weight())).isEqualTo(DType.F64);
            assertThat(Tensors.dtype(m.layers.get(0).bias())).isEqualTo(DType.F64);

            m.to(DType.F32); // fp32 -> fp64 -> fp32 is exact
            for (var e : m.stateDict().entrySet()) {
                assertThat(Tensors.toFloats(e.getValue())).as(e.getKey()).containsExactly(before.get(e.getKey()));
            }
        }
    }

    @Test
    void deviceMoveToMetaKeepsDtypesAndTrainability() {
        try (var scope = new PointerScope()) {
            Tiny m = new Tiny(Placement.cpu());
            m.to(Devices.meta());
            for (var e : m.stateDict().entrySet()) {
                assertThat(e.getValue().is_meta()).as(e.getKey()).isTrue();
            }
            assertThat(Tensors.dtype(m.stateDict().get("position_ids"))).isEqualTo(DType.I64);
            assertThat(m.conv.weight().requires_grad()).isTrue();
            assertThat(Tensors.shape(m.conv.weight())).containsExactly(6, 3, 3, 3);
        }
    }

    @Test
    void metaModuleCountsParametersWithoutStorage() {
        try (var scope = new PointerScope()) {
            // 10^10 fp32 weights would be 40 GB: this only works because nothing is allocated.
            var big = new ModuleList<Module>();
            big.add(new Linear(100_000, 100_000, true, Placement.meta()));
            big.add(new ConvNd(2, 1280, 1280, 3, 1, 1, true, Placement.meta()));
            big.add(new GroupNorm(32, 1280, 1e-6, true, Placement.meta()));
            big.add(new Embedding(49408, 768, Placement.meta()));

            long expected = 100_000L * 100_000 + 100_000 + 1280L * 1280 * 9 + 1280 + 2 * 1280 + 49408L * 768;
            assertThat(big.parameterCount()).isEqualTo(expected);
            for (var e : big.stateDict().entrySet()) assertThat(e.getValue().is_meta()).as(e.getKey()).isTrue();

            // Shapes still propagate through ops with C++ meta kernels, such as linear (conv and group norm
            // have none in libtorch: their meta kernels exist only in Python).
            Tensor x = Placement.meta().empty(2, 100_000);
            assertThat(Tensors.shape(((Linear) big.get(0)).forward(x))).containsExactly(2, 100_000);
        }
    }

    @Test
    void placementAndDeviceNamesAreValidated() {
        assertThat(Devices.canonical(" CUDA:01 ")).isEqualTo("cuda:1");
        assertThat(Devices.canonical("cuda")).isEqualTo("cuda");
        assertThat(Devices.canonical("cpu")).isEqualTo("cpu");
        assertThatThrownBy(() -> Devices.canonical("gpu")).hasMessageContaining("'gpu'");
        assertThatThrownBy(() -> Devices.canonical("cpu:1")).hasMessageContaining("only cuda takes an index");
        try (var scope = new PointerScope()) {
            assertThat(Devices.name(Devices.parse("cuda:1"))).isEqualTo("cuda:1");
            assertThat(Devices.parse("meta").is_meta()).isTrue();
            assertThat(Devices.defaultName()).isEqualTo(Devices.cudaAvailable() ? "cuda" : "cpu");
            Tensor t = new Placement("cpu", DType.BF16).empty(2, 3);
            assertThat(Tensors.dtype(t)).isEqualTo(DType.BF16);
            assertThat(t.is_cpu()).isTrue();
        }
        assertThatThrownBy(() -> new Linear(0, 3, true)).hasMessageContaining("in_features");
        assertThatThrownBy(() -> new GroupNorm(5, 24, 1e-5)).hasMessageContaining("24 channels");
        assertThatThrownBy(() -> new ConvNd(new LayerSpec.Conv(6, 4, new long[] {3}, new long[] {1}, new long[] {0},
                new long[] {1}, 4), true)).hasMessageContaining("divisible by groups");
    }
}
