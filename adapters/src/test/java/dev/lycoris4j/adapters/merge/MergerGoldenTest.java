package dev.lycoris4j.adapters.merge;

import dev.lycoris4j.adapters.io.AdapterFile;
import dev.lycoris4j.adapters.io.GoldenNetwork;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static dev.lycoris4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

/** The three golden networks merged at scale 1 against the reference's merged models (spec §5.2). */
class MergerGoldenTest {
    /** net3's LoHa, which the reference merged with scale² (quirk §8.1); we follow the forward instead. */
    private static final String X_EMBEDDER = "transformer.x_embedder.weight";

    @TempDir
    Path dir;

    static List<GoldenNetwork> networks() {
        return GoldenNetwork.all();
    }

    @ParameterizedTest
    @MethodSource("networks")
    void mergeAtScaleOneMatchesTheReferenceAndLeavesEveryOtherTensorBitIdentical(GoldenNetwork net) throws Exception {
        Path out = dir.resolve("merged.safetensors");
        MergeReport report = Merger.merge(net.base(), List.of(new WeightedAdapter(AdapterFile.read(net.adapter()), 1.0)),
                out, null);

        assertThat(report.allMatched()).as(report.adapters().toString()).isTrue();
        assertThat(report.adapters().getFirst().matched()).hasSize(net.modules());
        assertThat(report.changedTensors()).containsExactlyInAnyOrderElementsOf(net.mergedChangedParams());
        Set<String> changed = Set.copyOf(net.mergedChangedParams());
        try (SafetensorsFile base = SafetensorsFile.open(net.base());
             SafetensorsFile golden = SafetensorsFile.open(net.merged());
             SafetensorsFile ours = SafetensorsFile.open(out)) {
            assertThat(ours.names()).containsExactlyInAnyOrderElementsOf(base.names());
            assertThat(ours.metadata()).isEqualTo(base.metadata());
            for (String name : base.names()) {
                assertThat(ours.info(name).dtype()).as(name).isEqualTo(base.info(name).dtype());
                if (name.equals(X_EMBEDDER)) continue;
                if (changed.contains(name)) {
                    assertClose(name, ours.tensor(name), golden.tensor(name), 1e-5, 0);
                } else {
                    assertThat(bytes(ours, name)).as(name).isEqualTo(bytes(base, name));
                }
            }
        }
    }

    /**
     * The reference merged net3's {@code lycoris_x_embedder} (LoHa, dim 2, alpha 1) with s² instead of s:
     * {@code merged − base = s²·P}. The forward applies {@code s·P = (merged − base)/s}, s = alpha/r read from the file.
     */
    @Test
    void net3LohaMergesWithTheForwardScaleNotTheReferenceSquare() throws Exception {
        GoldenNetwork net = GoldenNetwork.named(GoldenNetwork.NET3);
        AdapterFile adapter = AdapterFile.read(net.adapter());
        double alpha = Tensors.toDoubles(adapter.tensors().get("lycoris_x_embedder.alpha"))[0];
        long rank = adapter.tensors().get("lycoris_x_embedder.hada_w1_b").size(0);
        double s = alpha / rank;
        assertThat(s).isEqualTo(0.5);

        Path out = dir.resolve("net3.safetensors");
        Merger.merge(net.base(), List.of(new WeightedAdapter(adapter, 1.0)), out, null);

        try (SafetensorsFile base = SafetensorsFile.open(net.base());
             SafetensorsFile golden = SafetensorsFile.open(net.merged());
             SafetensorsFile ours = SafetensorsFile.open(out)) {
            Tensor w = base.tensor(X_EMBEDDER);
            Tensor referenceDelta = golden.tensor(X_EMBEDDER).sub(w);
            Tensor ourDelta = ours.tensor(X_EMBEDDER).sub(w);
            // ΔW is ~1e-4 here, so compare the changes themselves: storage rounding of W + ΔW is below 1e-7.
            assertClose(X_EMBEDDER, ourDelta, referenceDelta.div(new Scalar(s)), 1e-7, 0);
            assertThat(Tensors.maxAbsDiff(ourDelta, referenceDelta)).isGreaterThan(100 * 1e-7);
        }
    }

    @Test
    void requestedDtypeConvertsEveryFloatTensorAndUnchangedOnesAreExactCasts() throws Exception {
        GoldenNetwork net = GoldenNetwork.named(GoldenNetwork.NET1);
        Path out = dir.resolve("fp16.safetensors");
        Merger.merge(net.base(), List.of(new WeightedAdapter(AdapterFile.read(net.adapter()), 1.0)), out, DType.F16);

        Set<String> changed = Set.copyOf(net.mergedChangedParams());
        try (SafetensorsFile base = SafetensorsFile.open(net.base());
             SafetensorsFile golden = SafetensorsFile.open(net.merged());
             SafetensorsFile ours = SafetensorsFile.open(out)) {
            for (String name : base.names()) {
                assertThat(ours.info(name).dtype()).as(name).isEqualTo(DType.F16);
                Tensor expected = (changed.contains(name) ? golden : base).tensor(name).to(DType.F16.scalarType());
                if (changed.contains(name)) {
                    // fp32 results rounded once to fp16: within half an fp16 ulp of the reference's value.
                    assertClose(name, ours.tensor(name), expected, 1e-3, 1e-3);
                } else {
                    assertThat(ours.tensor(name).equal(expected)).as(name).isTrue();
                }
            }
        }
    }

    private static byte[] bytes(SafetensorsFile file, String name) throws Exception {
        return file.bytes(name).toArray(ValueLayout.JAVA_BYTE);
    }
}
