package dev.lycoris4j.core.safetensors;

import dev.lycoris4j.core.safetensors.SafetensorsException.Defect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each defect, hand-crafted, gives a SafetensorsException that names the file, the tensor and the defect. */
class SafetensorsDefectTest {
    @TempDir
    Path dir;

    private static final String A4 = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    /** label, header JSON, data section size, expected defect, tensor named in the message (or null). */
    static Stream<Arguments> headers() {
        return Stream.of(
                arguments("empty header", "", 0, Defect.HEADER_NOT_JSON, null),
                arguments("truncated JSON", "{\"a\":", 0, Defect.HEADER_NOT_JSON, null),
                arguments("trailing content", "{}{}", 0, Defect.HEADER_NOT_JSON, null),
                arguments("too deep", "{\"a\":{\"x\":" + "[".repeat(200) + "]".repeat(200) + "}}", 0,
                        Defect.HEADER_NOT_JSON, null),
                arguments("array header", "[1,2]", 0, Defect.HEADER_NOT_OBJECT, null),
                arguments("string header", "\"x\"", 0, Defect.HEADER_NOT_OBJECT, null),
                arguments("entry is a number", "{\"a\":5}", 0, Defect.ENTRY_NOT_OBJECT, "a"),
                arguments("no dtype", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, Defect.MISSING_FIELD, "a"),
                arguments("no shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, Defect.MISSING_FIELD, "a"),
                arguments("no offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, Defect.MISSING_FIELD, "a"),
                arguments("dtype not a string", "{" + entry("a", "5", "[1]", "[0,4]") + "}", 4, Defect.BAD_FIELD_TYPE, "a"),
                arguments("shape not an array", "{" + entry("a", "\"F32\"", "\"1\"", "[0,4]") + "}", 4,
                        Defect.BAD_FIELD_TYPE, "a"),
                arguments("fractional dim", "{" + entry("a", "\"F32\"", "[1.5]", "[0,4]") + "}", 4, Defect.BAD_FIELD_TYPE, "a"),
                arguments("one offset", "{" + entry("a", "\"F32\"", "[1]", "[0]") + "}", 4, Defect.BAD_FIELD_TYPE, "a"),
                arguments("three offsets", "{" + entry("a", "\"F32\"", "[1]", "[0,4,4]") + "}", 4, Defect.BAD_FIELD_TYPE, "a"),
                arguments("offsets object", "{" + entry("a", "\"F32\"", "[1]", "{}") + "}", 4, Defect.BAD_FIELD_TYPE, "a"),
                arguments("unknown dtype", "{" + entry("a", "\"F128\"", "[1]", "[0,16]") + "}", 16, Defect.UNKNOWN_DTYPE, "a"),
                arguments("negative dim", "{" + entry("a", "\"F32\"", "[-1,2]", "[0,4]") + "}", 4, Defect.NEGATIVE_DIMENSION, "a"),
                arguments("product overflows", "{" + entry("a", "\"F32\"", "[4611686018427387904,4]", "[0,4]") + "}", 4,
                        Defect.SIZE_OVERFLOW, "a"),
                arguments("bytes overflow", "{" + entry("a", "\"F64\"", "[2305843009213693952]", "[0,4]") + "}", 4,
                        Defect.SIZE_OVERFLOW, "a"),
                arguments("dim beyond 64 bits", "{" + entry("a", "\"F32\"", "[99999999999999999999]", "[0,4]") + "}", 4,
                        Defect.SIZE_OVERFLOW, "a"),
                arguments("end past data", "{" + entry("a", "\"U8\"", "[100]", "[0,100]") + "}", 8,
                        Defect.OFFSETS_OUT_OF_BOUNDS, "a"),
                arguments("negative begin", "{" + entry("a", "\"U8\"", "[8]", "[-4,4]") + "}", 8, Defect.OFFSETS_OUT_OF_BOUNDS, "a"),
                arguments("end near Long.MAX", "{" + entry("a", "\"U8\"", "[8]", "[0,9223372036854775807]") + "}", 8,
                        Defect.OFFSETS_OUT_OF_BOUNDS, "a"),
                arguments("begin after end", "{" + entry("a", "\"U8\"", "[4]", "[8,4]") + "}", 8, Defect.OFFSETS_REVERSED, "a"),
                arguments("size mismatch", "{" + entry("a", "\"F32\"", "[3]", "[0,8]") + "}", 8, Defect.SIZE_MISMATCH, "a"),
                arguments("gap", "{" + A4 + "," + entry("b", "\"F32\"", "[1]", "[8,12]") + "}", 12,
                        Defect.OFFSETS_NOT_CONTIGUOUS, "b"),
                arguments("overlap", "{" + entry("a", "\"F32\"", "[2]", "[0,8]") + "," + entry("b", "\"F32\"", "[2]", "[4,12]")
                        + "}", 12, Defect.OFFSETS_NOT_CONTIGUOUS, "b"),
                arguments("first not at 0", "{" + entry("a", "\"F32\"", "[1]", "[4,8]") + "}", 8,
                        Defect.OFFSETS_NOT_CONTIGUOUS, "a"),
                arguments("trailing data", "{" + A4 + "}", 8, Defect.OFFSETS_NOT_CONTIGUOUS, null),
                arguments("duplicate tensor", "{" + A4 + "," + A4 + "}", 4, Defect.DUPLICATE_NAME, "a"),
                arguments("duplicate field", "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        4, Defect.DUPLICATE_NAME, "a"),
                arguments("duplicate metadata key", "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, Defect.DUPLICATE_NAME, null),
                arguments("metadata value not a string", "{\"__metadata__\":{\"k\":1}}", 0, Defect.BAD_METADATA, null),
                arguments("metadata not an object", "{\"__metadata__\":[\"k\"]}", 0, Defect.BAD_METADATA, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headers")
    void defectiveHeaderIsNamed(String label, String header, int dataSize, Defect defect, String tensor) throws IOException {
        Path file = Fixtures.put(dir, "bad.safetensors", Fixtures.file(header, dataSize));
        assertDefect(file, defect, tensor);
    }

    @Test
    void validHeadersFromTheSameBuilderOpen() throws IOException {
        // Guards the table above: the entries differ from a valid file only in the defect.
        Path file = Fixtures.put(dir, "ok.safetensors", Fixtures.file("{" + A4 + "," + entry("b", "\"I8\"", "[2,0]", "[4,4]")
                + ",\"__metadata__\":{\"k\":\"v\"},\"c\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[4,5],\"extra\":[1]}}", 5));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("a", "b", "c");
            assertThat(f.metadata()).containsEntry("k", "v");
        }
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        assertDefect(Fixtures.put(dir, "short.safetensors", new byte[5]), Defect.FILE_TOO_SHORT, null);
        assertDefect(Fixtures.put(dir, "empty.safetensors", new byte[0]), Defect.FILE_TOO_SHORT, null);
    }

    @Test
    void headerLengthBeyondTheLimitOrTheFile() throws IOException {
        for (long n : new long[] {HeaderParser.MAX_HEADER_BYTES + 1, -1L, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertDefect(Fixtures.put(dir, "huge.safetensors", prefixOnly(n, 16)), Defect.HEADER_TOO_LARGE, null);
        }
        assertDefect(Fixtures.put(dir, "long.safetensors", prefixOnly(100, 10)), Defect.HEADER_LENGTH_OUT_OF_BOUNDS, null);
        assertDefect(Fixtures.put(dir, "long.safetensors", prefixOnly(1, 0)), Defect.HEADER_LENGTH_OUT_OF_BOUNDS, null);
    }

    @Test
    void headerThatIsNotUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xFF, (byte) 0xFE, '"', ':', '1', '}'};
        assertDefect(Fixtures.put(dir, "latin.safetensors", Fixtures.file(header, new byte[0])), Defect.HEADER_NOT_UTF8, null);
    }

    @Test
    void missingTensorAndMissingFile() throws IOException {
        Path file = Fixtures.put(dir, "one.safetensors", Fixtures.file("{" + A4 + "}", 4));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> f.tensor("nope")).isInstanceOfSatisfying(SafetensorsException.class, e -> {
                assertThat(e.defect()).isEqualTo(Defect.NO_SUCH_TENSOR);
                assertThat(e).hasMessageContaining("'nope'").hasMessageContaining(file.toString());
            });
        }
        assertDefect(dir.resolve("absent.safetensors"), Defect.UNREADABLE, null);
        assertDefect(dir, Defect.UNREADABLE, null);
    }

    private static byte[] prefixOnly(long declaredLength, int bytesAfter) {
        return ByteBuffer.allocate(8 + bytesAfter).order(ByteOrder.LITTLE_ENDIAN).putLong(declaredLength).array();
    }

    private static void assertDefect(Path file, Defect defect, String tensor) {
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOfSatisfying(SafetensorsException.class, e -> {
                    assertThat(e.defect()).as(e.getMessage()).isEqualTo(defect);
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.tensor()).as(e.getMessage()).isEqualTo(tensor);
                    assertThat(e.getMessage()).contains(file.toString()).contains(defect.name());
                    if (tensor != null) assertThat(e.getMessage()).contains("'" + tensor + "'");
                });
    }
}
