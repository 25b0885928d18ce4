package dev.lycoris4j.adapters.io;

import dev.lycoris4j.adapters.Algorithm;
import dev.lycoris4j.core.safetensors.SafetensorsFile;
import dev.lycoris4j.core.safetensors.TensorInfo;
import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading, rewriting and hashing the three golden whole-network adapter files. */
class AdapterFileGoldenTest {
    @TempDir
    Path dir;

    static List<GoldenNetwork> networks() {
        return GoldenNetwork.all();
    }

    static List<GoldenNetwork> kohyaNetworks() {
        return List.of(GoldenNetwork.named(GoldenNetwork.NET1), GoldenNetwork.named(GoldenNetwork.NET2));
    }

    @ParameterizedTest
    @MethodSource("networks")
    void everyKeyBelongsToARecognisedModule(GoldenNetwork net) throws Exception {
        AdapterFile file = AdapterFile.read(net.adapter());

        assertThat(file.unrecognized()).isEmpty();
        assertThat(file.modules()).hasSize(net.modules());
        long keys = file.modules().stream().mapToLong(m -> m.tensors().size()).sum();
        assertThat(keys).isEqualTo(net.stateDictOrder().size());
        assertThat(file.metadata()).isEqualTo(net.metadata());
    }

    @ParameterizedTest
    @MethodSource("networks")
    void detectedAlgorithmsAreTheReferenceModuleClasses(GoldenNetwork net) throws Exception {
        AdapterFile file = AdapterFile.read(net.adapter());
        for (AdapterModule m : file.modules()) {
            String referenceClass = net.moduleClasses().getOrDefault(m.name(), "LoConModule");
            Algorithm expected = switch (referenceClass) {
                case "LoConModule" -> Algorithm.LORA;
                case "LohaModule" -> Algorithm.LOHA;
                case "LokrModule" -> Algorithm.LOKR;
                case "NormModule" -> Algorithm.NORM;
                default -> throw new AssertionError("unexpected reference class " + referenceClass);
            };
            assertThat(m.algorithm()).as(m.name()).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @MethodSource("kohyaNetworks")
    void sshsModelHashOfTheStateDictOrderIsTheStoredOne(GoldenNetwork net) throws Exception {
        AdapterFile file = AdapterFile.read(net.adapter());
        List<Tensor> ordered = net.stateDictOrder().stream().map(k -> file.tensors().get(k)).toList();

        assertThat(SshsHash.of(ordered)).isEqualTo(net.metadata().get("sshs_model_hash"));
    }

    @ParameterizedTest
    @MethodSource("networks")
    void rewrittenFileKeepsKeysShapesDtypesBytesAndMetadata(GoldenNetwork net) throws Exception {
        AdapterFile file = AdapterFile.read(net.adapter());
        Path out = dir.resolve("rewritten.safetensors");
        AdapterWriter.write(out, inOrder(file, net.stateDictOrder()), file.metadata(), null);

        try (SafetensorsFile golden = SafetensorsFile.open(net.adapter());
             SafetensorsFile ours = SafetensorsFile.open(out)) {
            assertThat(ours.names()).containsExactlyInAnyOrderElementsOf(golden.names());
            for (String name : golden.names()) {
                TensorInfo g = golden.info(name);
                TensorInfo o = ours.info(name);
                assertThat(o.dtype()).as(name).isEqualTo(g.dtype());
                assertThat(o.shape()).as(name).isEqualTo(g.shape());
                assertThat(ours.bytes(name).toArray(ValueLayout.JAVA_BYTE)).as(name)
                        .isEqualTo(golden.bytes(name).toArray(ValueLayout.JAVA_BYTE));
            }
            // kohya files carry the hash already, and ours must come out the same; net3 gains one.
            Map<String, String> expected = new LinkedHashMap<>(golden.metadata());
            if (!expected.containsKey("sshs_model_hash")) {
                expected.put("sshs_model_hash", sha256(ours, net.stateDictOrder()));
            }
            assertThat(ours.metadata()).isEqualTo(expected);
        }
    }

    @Test
    void savingInAnotherDtypeCastsEveryTensorAlphaIncludedAndHashesTheCastBytes() throws Exception {
        GoldenNetwork net = GoldenNetwork.named(GoldenNetwork.NET1);
        AdapterFile file = AdapterFile.read(net.adapter());
        for (DType dtype : List.of(DType.F32, DType.BF16)) {
            Path out = dir.resolve("net1_" + dtype + ".safetensors");
            AdapterWriter.write(out, inOrder(file, net.stateDictOrder()), file.metadata(), dtype);

            try (SafetensorsFile ours = SafetensorsFile.open(out)) {
                for (String name : ours.names()) assertThat(ours.info(name).dtype()).as(name).isEqualTo(dtype);
                assertThat(ours.names()).contains("lora_unet_conv_in.alpha");
                assertThat(ours.metadata().get("sshs_model_hash")).isEqualTo(sha256(ours, net.stateDictOrder()))
                        .isNotEqualTo(net.metadata().get("sshs_model_hash"));
                if (dtype == DType.F32) {
                    // fp16 → fp32 is exact: the values survive bit for bit.
                    for (String name : ours.names()) {
                        assertThat(ours.tensor(name).equal(file.tensors().get(name).to(DType.F32.scalarType())))
                                .as(name).isTrue();
                    }
                }
            }
        }
    }

    private static Map<String, Tensor> inOrder(AdapterFile file, List<String> order) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String key : order) out.put(key, file.tensors().get(key));
        return out;
    }

    /** The hash worked independently of {@link SshsHash}: sha256 over the file's own bytes, in state-dict order. */
    private static String sha256(SafetensorsFile file, List<String> order) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String key : order) sha.update(file.bytes(key).toArray(ValueLayout.JAVA_BYTE));
        return "0x" + HexFormat.of().formatHex(sha.digest());
    }
}
