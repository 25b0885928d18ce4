package dev.lycoris4j.adapters.golden;

import dev.lycoris4j.adapters.Adapter;
import dev.lycoris4j.adapters.AdapterFormats;
import dev.lycoris4j.adapters.modules.DyloraAdapter;
import dev.lycoris4j.adapters.modules.LoConAdapter;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.SafetensorsWriter;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden cases of DyLoRA (Linear and conv, rank 8 in blocks of 2, alpha 4). The file holds LoRA keys: built as a
 * DyLoRA (block size from the case's kwargs) it reproduces the reference's {@code get_weight(rank)}; read back
 * from a file it is a LoRA with scale alpha/r, as the reference's loader reads it.
 */
class DyloraCasesTest {
    @TempDir Path tmp;

    static Stream<GoldenCase> cases() {
        return GoldenCase.withAlgorithm("dylora");
    }

    private static DyloraAdapter dylora(GoldenCase c) {
        return DyloraAdapter.fromLoraTensors(GoldenCase.MODULE, c.layer(), c.adapterTensors(),
                c.entry().get("constructor_kwargs").get("block_size").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stateDictIsTheFile(GoldenCase c) {
        c.checkStateDictMatchesFile(dylora(c));
    }

    /** Outside training the forward is the full rank's cut: io.delta_w / io.y are get_merged_weight(rank = r). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fullRankDeltaAndForward(GoldenCase c) {
        DyloraAdapter a = dylora(c);
        c.checkDeltaAtMultiplierOne(a);
        c.checkMergedForward(a);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void deltaAtEachRankIsTheReferenceGetWeight(GoldenCase c) {
        DyloraAdapter a = dylora(c);
        for (var r : c.entry().get("extra").get("ranks")) {
            c.assertClose("ΔW at rank " + r.asInt(), a.deltaWeightAtRank(r.asInt()), c.tensor("io.delta_w_rank" + r.asInt()));
        }
    }

    /** The reference's bypass is broken; ours is the merged forward. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bypassIsTheMergedForward(GoldenCase c) {
        c.checkBypass(dylora(c), "io.y");
    }

    /**
     * The saved keys are detected as LoRA, conv included (the reference's loader fails on the 2-D conv up),
     * with scale alpha/r: {@code io.delta_w_reloaded} where the reference could reload, otherwise
     * io.delta_w · (count+1)/r, the same factors under alpha/r instead of alpha/(count+1).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fileReloadsAsLoraWithAlphaOverRank(GoldenCase c) throws Exception {
        DyloraAdapter a = dylora(c);
        Path file = tmp.resolve(c.name() + ".safetensors");
        Map<String, Tensor> prefixed = new LinkedHashMap<>();
        a.stateDict().forEach((k, v) -> prefixed.put(GoldenCase.MODULE + "." + k, v));
        SafetensorsWriter.write(file, prefixed, Map.of());
        Map<String, Tensor> read = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String n : f.names()) read.put(n.substring(GoldenCase.MODULE.length() + 1), f.tensor(n));
        }
        Adapter back = AdapterFormats.load(GoldenCase.MODULE, c.layer(), read);
        assertThat(back).isInstanceOf(LoConAdapter.class);
        assertThat(back.stateDict().keySet()).containsExactlyElementsOf(a.stateDict().keySet());
        for (String k : read.keySet()) assertThat(torch.equal(back.stateDict().get(k), a.stateDict().get(k))).as(k).isTrue();

        Tensor reloaded = back.mergedWeights(c.weight(), c.bias(), 1.0).weight().sub(c.weight());
        if (c.has("io.delta_w_reloaded")) {
            c.assertClose("reloaded ΔW", reloaded, c.tensor("io.delta_w_reloaded"));
        } else {
            assertThat(c.libraryChecks().get("reload").asText()).startsWith("error");
            int r = a.rank(), count = r / a.blockSize();
            c.assertClose("reloaded ΔW", reloaded, c.tensor("io.delta_w").mul(new Scalar((count + 1.0) / r)));
        }
        assertThat(Tensors.maxAbsDiff(reloaded, c.tensor("io.delta_w"))).as("reload differs from training's scale")
                .isGreaterThan(1e-3);
    }
}
