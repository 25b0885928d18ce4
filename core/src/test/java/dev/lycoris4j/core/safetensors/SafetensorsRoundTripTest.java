package dev.lycoris4j.core.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import dev.lycoris4j.core.testing.Golden;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static byte[] randomBytes(Random rnd, DType dtype, long numel) {
        byte[] b = new byte[Math.toIntExact(numel * dtype.byteSize())];
        rnd.nextBytes(b);
        if (dtype == DType.BOOL) for (int i = 0; i < b.length; i++) b[i] &= 1;
        return b;
    }

    @Test
    void everyDtypeShapeAndMetadataRoundTripsBitExactly() throws IOException {
        Random rnd = new Random(7);
        Map<String, byte[]> expectedBytes = new LinkedHashMap<>();
        Map<String, long[]> expectedShapes = new LinkedHashMap<>();
        Map<String, DType> expectedDtypes = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (DType d : DType.values()) {
                for (long[] shape : List.of(new long[] {3, 5}, new long[] {}, new long[] {0, 4}, new long[] {7})) {
                    String name = d + "_rank" + shape.length + "_n" + Tensors.numel(shape);
                    byte[] bytes = randomBytes(rnd, d, Tensors.numel(shape));
                    tensors.put(name, Fixtures.fromBytes(d, shape, bytes));
                    expectedBytes.put(name, bytes);
                    expectedShapes.put(name, shape);
                    expectedDtypes.put(name, d);
                }
            }
            Map<String, String> metadata = Map.of("format", "pt", "note", "ünïcode \"quoted\" \\ / \n");
            Path file = dir.resolve("all.safetensors");
            SafetensorsWriter.write(file, tensors, metadata);

            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertThat(f.metadata()).isEqualTo(metadata);
                assertThat(f.names()).containsExactlyInAnyOrderElementsOf(tensors.keySet());
                for (String name : tensors.keySet()) {
                    assertThat(f.info(name).dtype()).isEqualTo(expectedDtypes.get(name));
                    assertThat(f.info(name).shape()).containsExactly(expectedShapes.get(name));
                    assertThat(f.bytes(name).toArray(ValueLayout.JAVA_BYTE)).as(name).isEqualTo(expectedBytes.get(name));
                    Tensor owned = f.tensor(name);
                    Tensor view = f.view(name);
                    for (Tensor t : List.of(owned, view)) {
                        assertThat(Tensors.dtype(t)).as(name).isEqualTo(expectedDtypes.get(name));
                        assertThat(Tensors.shape(t)).as(name).containsExactly(expectedShapes.get(name));
                        assertThat(Fixtures.bytesOf(t)).as(name).isEqualTo(expectedBytes.get(name));
                    }
                }
            }
        }
    }

    @Test
    void headerIsOrderedByAlignmentThenNamePaddedAndCompact() throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("b_u8", Fixtures.fromBytes(DType.U8, new long[] {3}, new byte[3]));
            tensors.put("a_f16", Fixtures.fromBytes(DType.F16, new long[] {1}, new byte[2]));
            tensors.put("z_f64", Fixtures.fromBytes(DType.F64, new long[] {1}, new byte[8]));
            tensors.put("a_f32", Fixtures.fromBytes(DType.F32, new long[] {1}, new byte[4]));
            tensors.put("c_i64", Fixtures.fromBytes(DType.I64, new long[] {}, new byte[8]));
            Path file = dir.resolve("order.safetensors");
            SafetensorsWriter.write(file, tensors, Map.of("k", "v"));

            byte[] all = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertThat(n % 8).isZero();
            String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
            assertThat(header).startsWith("{\"__metadata__\":{\"k\":\"v\"},\"c_i64\":{\"dtype\":\"I64\",\"shape\":[],"
                    + "\"data_offsets\":[0,8]},\"z_f64\":");
            assertThat(header.stripTrailing()).endsWith("}").doesNotContain(" ");
            assertThat(header.substring(header.stripTrailing().length())).matches(" *");

            JsonNode json = new ObjectMapper().readTree(header);
            List<String> order = new ArrayList<>();
            json.fieldNames().forEachRemaining(order::add);
            assertThat(order).containsExactly("__metadata__", "c_i64", "z_f64", "a_f32", "a_f16", "b_u8");
            long expectedBegin = 0;
            for (String name : order.subList(1, order.size())) {
                JsonNode offsets = json.get(name).get("data_offsets");
                assertThat(offsets.get(0).asLong()).as(name).isEqualTo(expectedBegin);
                expectedBegin = offsets.get(1).asLong();
            }
            assertThat(all.length).isEqualTo(8 + n + expectedBegin);
        }
    }

    @Test
    void emptyTensorMapMakesAValidFile() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(file, Map.of(), null);
        assertThat(Files.size(file)).isEqualTo(16); // "{}" padded to 8
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).isEmpty();
            assertThat(f.metadata()).isEmpty();
        }
    }

    @Test
    void nonContiguousTensorsAreWrittenInLogicalOrder() throws IOException {
        try (PointerScope scope = new PointerScope()) {
            float[] values = new float[12];
            for (int i = 0; i < values.length; i++) values[i] = i;
            Tensor base = Tensors.fromFloats(values, 3, 4);
            Tensor transposed = base.t();
            Tensor column = base.narrow(1, 2, 1);
            assertThat(transposed.is_contiguous()).isFalse();
            assertThat(column.is_contiguous()).isFalse();
            Path file = dir.resolve("strided.safetensors");
            SafetensorsWriter.write(file, Map.of("t", transposed, "c", column), Map.of());
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertThat(f.info("t").shape()).containsExactly(4, 3);
                assertThat(Tensors.toFloats(f.tensor("t"))).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
                assertThat(f.info("c").shape()).containsExactly(3, 1);
                assertThat(Tensors.toFloats(f.tensor("c"))).containsExactly(2, 6, 10);
            }
        }
    }

    @Test
    void rewrittenGoldenFilesKeepKeysShapesDtypesMetadataAndBytes() throws IOException {
        for (String golden : List.of("lycoris/cases/lora_r4_a2_linear.safetensors",
                "lycoris/networks/net1_sd1_kohya_locon_fp16.safetensors",
                "lycoris/networks/net2_sdxl_kohya_loha_lokr_norm_bf16.safetensors")) {
            Path copy = dir.resolve("copy.safetensors");
            try (SafetensorsFile original = SafetensorsFile.open(Golden.path(golden));
                 PointerScope scope = new PointerScope()) {
                SafetensorsWriter.write(copy, original.loadAll(), original.metadata());
                try (SafetensorsFile rewritten = SafetensorsFile.open(copy)) {
                    assertThat(rewritten.metadata()).isEqualTo(original.metadata());
                    assertThat(rewritten.names()).containsExactlyInAnyOrderElementsOf(original.names());
                    for (String name : original.names()) {
                        TensorInfo a = original.info(name);
                        TensorInfo b = rewritten.info(name);
                        assertThat(b.dtype()).isEqualTo(a.dtype());
                        assertThat(b.shape()).containsExactly(a.shape());
                        assertThat(rewritten.bytes(name).toArray(ValueLayout.JAVA_BYTE)).as(name)
                                .isEqualTo(original.bytes(name).toArray(ValueLayout.JAVA_BYTE));
                    }
                }
            }
        }
    }

    @Test
    void float8AndHalfFormatsConvertToHandWorkedValues() throws IOException {
        // E4M3 (bias 7, no inf): 0x38 = 1.0, 0x40 = 2.0, 0xB8 = -1.0, 0x30 = 0.5, 0x7E = 1.75 * 2^8 = 448 (max),
        //   0x01 = subnormal 2^-6 * 1/8 = 2^-9.
        // E5M2 (bias 15): 0x3C = 1.0, 0x40 = 2.0, 0xBC = -1.0, 0x7B = 1.75 * 2^15 = 57344 (max), 0x7C = +inf.
        // F16: 0x3C00 = 1.0, 0xC000 = -2.0, 0x7BFF = 65504. BF16: 0x3F80 = 1.0, 0x4049 = 3.140625, 0xC2F7 = -123.5.
        byte[] e4m3 = {0x38, 0x40, (byte) 0xB8, 0x30, 0x7E, 0x01};
        byte[] e5m2 = {0x3C, 0x40, (byte) 0xBC, 0x7B, 0x7C};
        byte[] f16 = {0x00, 0x3C, 0x00, (byte) 0xC0, (byte) 0xFF, 0x7B};
        byte[] bf16 = {(byte) 0x80, 0x3F, 0x49, 0x40, (byte) 0xF7, (byte) 0xC2};
        try (PointerScope scope = new PointerScope()) {
            Path file = dir.resolve("small_floats.safetensors");
            SafetensorsWriter.write(file, Map.of(
                    "e4m3", Fixtures.fromBytes(DType.F8_E4M3, new long[] {6}, e4m3),
                    "e5m2", Fixtures.fromBytes(DType.F8_E5M2, new long[] {5}, e5m2),
                    "f16", Fixtures.fromBytes(DType.F16, new long[] {3}, f16),
                    "bf16", Fixtures.fromBytes(DType.BF16, new long[] {3}, bf16)), null);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertThat(Tensors.toFloats(f.load("e4m3", DType.F32)))
                        .containsExactly(1f, 2f, -1f, 0.5f, 448f, 0x1p-9f);
                assertThat(Tensors.toFloats(f.load("e5m2", DType.F32)))
                        .containsExactly(1f, 2f, -1f, 57344f, Float.POSITIVE_INFINITY);
                assertThat(Tensors.toFloats(f.load("f16", DType.F32))).containsExactly(1f, -2f, 65504f);
                assertThat(Tensors.toFloats(f.load("bf16", DType.F32))).containsExactly(1f, 3.140625f, -123.5f);
                Tensor loaded = f.load("f16", DType.F32);
                assertThat(Tensors.dtype(loaded)).isEqualTo(DType.F32);
            }
        }
    }

    @Test
    void unalignedDataIsCopiedNotViewed() throws IOException {
        // Header padded to 5 (mod 8) bytes: the data section starts at an odd file offset, so the F32 tensor
        // cannot be viewed in place (the mapping itself is page-aligned).
        byte[] header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}".getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[header.length + (5 - header.length % 8 + 8) % 8];
        Arrays.fill(padded, (byte) ' ');
        System.arraycopy(header, 0, padded, 0, header.length);
        assertThat((8 + padded.length) % 8).isEqualTo(5);
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-3f).array();
        Path file = Fixtures.put(dir, "unaligned.safetensors", Fixtures.file(padded, data));
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            Tensor v = f.view("x");
            assertThat(Tensors.toFloats(v)).containsExactly(1.5f, -3f);
            assertThat(v.data_ptr().address() % 4).isZero();
            assertThat(Tensors.toFloats(f.load("x", DType.F64))).containsExactly(1.5f, -3f);
        }
    }

    @Test
    void ownedTensorsAreIndependentOfTheFile() throws IOException {
        Path file = writeFloats("owned.safetensors", 1f, 2f, 3f);
        try (PointerScope scope = new PointerScope()) {
            Tensor owned;
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                owned = f.tensor("x");
                owned.add_(new Scalar(10.0));
                assertThat(Tensors.toFloats(f.tensor("x"))).containsExactly(1f, 2f, 3f);
            }
            assertThat(Tensors.toFloats(owned)).containsExactly(11f, 12f, 13f);
        }
    }

    @Test
    void viewsKeepTheMappingAliveAfterCloseUntilTheLastOneIsFreed() throws IOException {
        Path file = writeFloats("views.safetensors", 1f, 2f, 3f, 4f);
        MemorySegment raw;
        Tensor view;
        Tensor derived;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            raw = f.bytes("x");
            view = f.view("x");
            assertThat(view.data_ptr().address()).isEqualTo(raw.address()); // truly zero-copy
            derived = view.view(2, 2);
        }
        // The file is closed, but the views still hold the mapping.
        assertThat(raw.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4)).isEqualTo(2f);
        view.close();
        assertThat(Tensors.toFloats(derived.mul(new Scalar(2.0)))).containsExactly(2f, 4f, 6f, 8f);
        derived.close();
        // The last view is gone: the mapping is unmapped, and Java access fails cleanly instead of crashing.
        assertThatThrownBy(() -> raw.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closedFileRefusesAccessAndCloseIsIdempotent() throws IOException {
        Path file = writeFloats("closed.safetensors", 1f);
        SafetensorsFile f = SafetensorsFile.open(file);
        MemorySegment raw = f.bytes("x");
        f.close();
        f.close();
        assertThatThrownBy(() -> f.tensor("x")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> f.view("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.bytes("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> raw.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void writerRejectsInvalidNamesAndDtypes() {
        try (PointerScope scope = new PointerScope()) {
            Path file = dir.resolve("bad.safetensors");
            Tensor ok = Tensors.fromFloats(new float[] {1f}, 1);
            assertThatThrownBy(() -> SafetensorsWriter.write(file, Map.of("__metadata__", ok), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("__metadata__");
            Tensor complex = ok.to(org.bytedeco.pytorch.global.torch.ScalarType.ComplexFloat);
            assertThatThrownBy(() -> SafetensorsWriter.write(file, Map.of("c", complex), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'c'");
            assertThat(file).doesNotExist();
        }
    }

    @Test
    void aWriteThatFailsMidwayLeavesTheTargetUntouched() throws IOException {
        Path file = writeFloats("target.safetensors", 5f, 6f);
        byte[] before = Files.readAllBytes(file);
        try (PointerScope scope = new PointerScope()) {
            // A meta tensor has a dtype and shape (so the header is written) but no data to copy out.
            Tensor meta = org.bytedeco.pytorch.global.torch.empty(new long[] {4},
                    new TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Float)
                            .device(new org.bytedeco.pytorch.DeviceOptional(new org.bytedeco.pytorch.Device("meta"))),
                    null);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("a", Tensors.fromFloats(new float[] {1f, 2f}, 2));
            tensors.put("b", meta);
            assertThatThrownBy(() -> SafetensorsWriter.write(file, tensors, null))
                    .isInstanceOf(RuntimeException.class).hasMessageContaining("meta tensor");
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (var listing = Files.list(dir)) {
            Iterator<Path> it = listing.iterator();
            List<Path> files = new ArrayList<>();
            it.forEachRemaining(files::add);
            assertThat(files).containsExactly(file);
        }
    }

    private Path writeFloats(String name, float... values) throws IOException {
        Path file = dir.resolve(name);
        try (PointerScope scope = new PointerScope()) {
            SafetensorsWriter.write(file, Map.of("x", Tensors.fromFloats(values, values.length)), null);
        }
        return file;
    }
}
