package dev.lycoris4j.core.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads files written by the Python reference tools and checks them against the manifests. */
class SafetensorsGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static JsonNode lycorisManifest() throws IOException {
        return JSON.readTree(Golden.path("lycoris/manifest.json").toFile());
    }

    private static JsonNode lycorisCase(String name) throws IOException {
        for (JsonNode c : lycorisManifest().get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new AssertionError("no case " + name + " in the manifest");
    }

    /** Names, dtypes and shapes in the file equal the manifest's listing, and every tensor reads back. */
    private static void assertMatchesListing(SafetensorsFile f, JsonNode listing) throws IOException {
        List<String> expected = new ArrayList<>();
        listing.fieldNames().forEachRemaining(expected::add);
        assertThat(f.names()).containsExactlyInAnyOrderElementsOf(expected);
        for (String name : expected) {
            JsonNode t = listing.get(name);
            TensorInfo info = f.info(name);
            assertThat(info.dtype().safetensorsName()).as(name).isEqualTo(t.get("dtype").asText());
            long[] shape = new long[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asLong();
            assertThat(info.shape()).as(name).containsExactly(shape);
            try (PointerScope scope = new PointerScope()) {
                Tensor x = f.tensor(name);
                assertThat(Tensors.shape(x)).as(name).containsExactly(shape);
                assertThat(Tensors.dtype(x)).as(name).isEqualTo(info.dtype());
                assertThat(Fixtures.bytesOf(x)).as(name).isEqualTo(f.bytes(name).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void everyLycorisCaseMatchesTheManifest() throws IOException {
        JsonNode cases = lycorisManifest().get("cases");
        assertThat(cases.size()).isGreaterThan(50);
        for (JsonNode c : cases) {
            try (SafetensorsFile f = SafetensorsFile.open(Golden.path("lycoris/" + c.get("file").asText()))) {
                assertMatchesListing(f, c.get("tensors"));
                assertThat(f.metadata()).containsEntry("case", c.get("name").asText())
                        .containsEntry("module_class", c.get("module_class").asText());
            }
        }
    }

    @Test
    void f32ScalarAlphaAndValuesDecodeLikeTheRawBytes() throws IOException {
        JsonNode c = lycorisCase("lora_r4_a2_linear");
        try (SafetensorsFile f = SafetensorsFile.open(Golden.path("lycoris/" + c.get("file").asText()));
             PointerScope scope = new PointerScope()) {
            Tensor alpha = f.tensor("lycoris_layer.alpha");
            assertThat(alpha.dim()).isZero();
            assertThat(alpha.item_float()).isEqualTo((float) c.get("constructor_kwargs").get("alpha").asDouble());

            MemorySegment raw = f.bytes("io.x");
            float[] fromBytes = new float[(int) (raw.byteSize() / 4)];
            for (int i = 0; i < fromBytes.length; i++) fromBytes[i] = raw.getAtIndex(F32_LE, i);
            assertThat(Tensors.toFloats(f.tensor("io.x"))).containsExactly(fromBytes);
            assertThat(Tensors.toFloats(f.view("io.x"))).containsExactly(fromBytes);
            assertThat(Tensors.toFloats(f.load("io.x", DType.F64))).containsExactly(fromBytes);
        }
    }

    @Test
    void i64ScalarsHoldTheIa3OnInputFlag() throws IOException {
        // Spec: IA3 buffer on_input is an I64 0/1 that records train_on_input.
        for (String name : List.of("ia3_linear_on_input", "ia3_linear_out")) {
            JsonNode c = lycorisCase(name);
            long expected = c.get("constructor_kwargs").path("train_on_input").asBoolean(false) ? 1 : 0;
            try (SafetensorsFile f = SafetensorsFile.open(Golden.path("lycoris/" + c.get("file").asText()));
                 PointerScope scope = new PointerScope()) {
                assertThat(f.info("lycoris_layer.on_input").dtype()).isEqualTo(DType.I64);
                Tensor t = f.tensor("lycoris_layer.on_input");
                assertThat(t.dim()).isZero();
                assertThat(t.item_long()).as(name).isEqualTo(expected);
            }
        }
    }

    @Test
    void f16NetworkMatchesItsKeyListingAndConvertsLikeJava() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(Golden.path("lycoris/networks/net1_sd1_kohya_locon_fp16.safetensors"))) {
            assertMatchesListing(f, JSON.readTree(
                    Golden.path("lycoris/networks/net1_sd1_kohya_locon_keys.json").toFile()).get("keys"));
            float networkAlpha = Float.parseFloat(f.metadata().get("ss_network_alpha"));
            for (String name : f.names()) {
                try (PointerScope scope = new PointerScope()) {
                    MemorySegment raw = f.bytes(name);
                    float[] expected = new float[(int) (raw.byteSize() / 2)];
                    for (int i = 0; i < expected.length; i++) expected[i] = Float.float16ToFloat(raw.getAtIndex(I16_LE, i));
                    assertThat(Tensors.toFloats(f.load(name, DType.F32))).as(name).containsExactly(expected);
                    // Text-encoder modules are linear: their alpha is the network alpha.
                    if (name.startsWith("lora_te_") && name.endsWith(".alpha")) {
                        assertThat(expected).as(name).containsExactly(networkAlpha);
                    }
                }
            }
        }
    }

    @Test
    void bf16NetworkMatchesItsKeyListingAndConvertsLikeJava() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(
                Golden.path("lycoris/networks/net2_sdxl_kohya_loha_lokr_norm_bf16.safetensors"))) {
            assertMatchesListing(f, JSON.readTree(
                    Golden.path("lycoris/networks/net2_sdxl_kohya_loha_lokr_norm_keys.json").toFile()).get("keys"));
            for (String name : f.names()) {
                try (PointerScope scope = new PointerScope()) {
                    MemorySegment raw = f.bytes(name);
                    float[] expected = new float[(int) (raw.byteSize() / 2)];
                    // bf16 is the upper half of an fp32.
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = Float.intBitsToFloat((raw.getAtIndex(I16_LE, i) & 0xFFFF) << 16);
                    }
                    assertThat(Tensors.toFloats(f.load(name, DType.F32))).as(name).containsExactly(expected);
                }
            }
        }
    }

    @Test
    void diffusersUnetAgreesWithItsConfigAndTheSingleFileCheckpoint() throws IOException {
        JsonNode config = JSON.readTree(Golden.path("sd/sd15_tiny/unet/config.json").toFile());
        try (SafetensorsFile unet = SafetensorsFile.open(Golden.path("sd/sd15_tiny/unet/diffusion_pytorch_model.safetensors"));
             SafetensorsFile ldm = SafetensorsFile.open(Golden.path("sd/sd15_tiny_ldm.safetensors"))) {
            assertThat(unet.metadata()).isEqualTo(Map.of("format", "pt"));
            long k = config.get("conv_in_kernel").asLong();
            assertThat(unet.info("conv_in.weight").shape()).containsExactly(
                    config.get("block_out_channels").get(0).asLong(), config.get("in_channels").asLong(), k, k);
            // The manifest says the LDM checkpoint holds the same UNet under original names.
            Map<String, String> sameTensor = Map.of(
                    "conv_in.weight", "model.diffusion_model.input_blocks.0.0.weight",
                    "conv_out.weight", "model.diffusion_model.out.2.weight",
                    "time_embedding.linear_1.weight", "model.diffusion_model.time_embed.0.weight");
            for (var e : sameTensor.entrySet()) {
                assertThat(unet.bytes(e.getKey()).toArray(ValueLayout.JAVA_BYTE)).as(e.getKey())
                        .isEqualTo(ldm.bytes(e.getValue()).toArray(ValueLayout.JAVA_BYTE));
            }
            assertThat(unet.names()).hasSize(304);
        }
    }
}
