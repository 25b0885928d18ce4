package dev.lycoris4j.core.safetensors;

import dev.lycoris4j.core.tensor.DType;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Mangled files: opening and reading every tensor may only ever throw SafetensorsException. */
class SafetensorsFuzzTest {
    @TempDir
    Path dir;

    private int opened;
    private int rejected;

    private static final String[] HOSTILE_NUMBERS = {"0", "1", "-1", "3", "8", "4294967296", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "99999999999999999999", "1e3", "2.5", "4611686018427387904"};
    private static final String[] DTYPES = {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL",
            "F8_E4M3", "F8_E5M2", "U16", "F4", "", "f32"};

    private byte[] validFile() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Random rnd = new Random(1);
        tensors.put("w", Fixtures.fromBytes(DType.F32, new long[] {2, 3}, randomBytes(rnd, 24)));
        tensors.put("alpha", Fixtures.fromBytes(DType.I64, new long[] {}, randomBytes(rnd, 8)));
        tensors.put("empty", Fixtures.fromBytes(DType.U8, new long[] {0}, new byte[0]));
        tensors.put("h", Fixtures.fromBytes(DType.F16, new long[] {4}, randomBytes(rnd, 8)));
        tensors.put("b", Fixtures.fromBytes(DType.BOOL, new long[] {3}, new byte[] {0, 1, 1}));
        tensors.put("bf", Fixtures.fromBytes(DType.BF16, new long[] {2, 2}, randomBytes(rnd, 8)));
        tensors.put("f8", Fixtures.fromBytes(DType.F8_E4M3, new long[] {2}, new byte[] {0x38, 0x40}));
        Path file = dir.resolve("valid.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
        return Files.readAllBytes(file);
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    @Test
    void mutatedFilesOnlyEverThrowSafetensorsException() throws IOException {
        try (PointerScope outer = new PointerScope()) {
            byte[] valid = validFile();
            int headerEnd = 8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            String header = new String(valid, 8, headerEnd - 8, StandardCharsets.UTF_8);
            byte[] data = Arrays.copyOfRange(valid, headerEnd, valid.length);
            Random rnd = new Random(20240611);

            check(valid, "valid");
            for (int len = 0; len <= headerEnd; len++) check(Arrays.copyOf(valid, len), "truncated to " + len);
            for (int len = headerEnd + 1; len < valid.length; len += 7) check(Arrays.copyOf(valid, len), "truncated to " + len);
            for (int i = 0; i < 1000; i++) {
                byte[] m = valid.clone();
                int flips = 1 + rnd.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int bit = rnd.nextInt(m.length * 8);
                    m[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                check(m, "bit flips #" + i);
            }
            for (int i = 0; i < 500; i++) {
                byte[] m = valid.clone();
                int at = rnd.nextInt(m.length);
                int run = Math.min(m.length - at, 1 + rnd.nextInt(16));
                for (int k = 0; k < run; k++) m[at + k] = (byte) rnd.nextInt(256);
                check(m, "byte run #" + i);
            }
            List<int[]> numbers = spans(header, "-?\\d+");
            List<int[]> dtypes = spans(header, "\"dtype\":\"([A-Z0-9_]+)\"");
            for (int i = 0; i < 900; i++) {
                String h;
                if (i % 3 == 2) {
                    int[] s = dtypes.get(rnd.nextInt(dtypes.size()));
                    h = header.substring(0, s[0]) + "\"dtype\":\"" + DTYPES[rnd.nextInt(DTYPES.length)] + "\"" + header.substring(s[1]);
                } else {
                    int[] s = numbers.get(rnd.nextInt(numbers.size()));
                    h = header.substring(0, s[0]) + HOSTILE_NUMBERS[rnd.nextInt(HOSTILE_NUMBERS.length)] + header.substring(s[1]);
                }
                check(Fixtures.file(h.getBytes(StandardCharsets.UTF_8), data), "header edit #" + i + ": " + h);
            }
            for (long n : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, -8, HeaderParser.MAX_HEADER_BYTES + 1,
                    valid.length - 7, valid.length - 8, 0}) {
                byte[] m = valid.clone();
                ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
                check(m, "length prefix " + n);
            }
            String e = "\"a\":{\"dtype\":\"F32\",\"shape\":";
            for (String h : List.of(
                    "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}",
                    "{".repeat(100_000),
                    "{" + e + "[4294967296,4294967296],\"data_offsets\":[0,4]}}",
                    "{" + e + "[0,9223372036854775807,9223372036854775807],\"data_offsets\":[0,0]}}",
                    "{" + e + "[1],\"data_offsets\":[-4,0]}}",
                    "{" + e + "[1],\"data_offsets\":[9223372036854775800,9223372036854775807]}}",
                    "{" + e + "[1],\"data_offsets\":[9223372036854775807,3]}}",
                    "{" + e + "[" + "1,".repeat(1000) + "1],\"data_offsets\":[0,4]}}",
                    "{" + e + "[1],\"data_offsets\":[0,4],\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}}",
                    "{\"__metadata__\":{\"a\":{\"b\":\"c\"}}}",
                    "{\"" + "\\u0000".repeat(100) + "\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}")) {
                check(Fixtures.file(h, 4), "hostile header " + h.substring(0, Math.min(80, h.length())));
            }
        }
        assertThat(opened).as("mutations that still form a valid file").isGreaterThan(50);
        assertThat(rejected).as("mutations rejected").isGreaterThan(1500);
    }

    private static List<int[]> spans(String text, String regex) {
        List<int[]> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) out.add(new int[] {m.start(), m.end()});
        assertThat(out).as(regex).isNotEmpty();
        return out;
    }

    private void check(byte[] content, String label) throws IOException {
        // A new name each time: truncating and rewriting one file makes ext4 flush it, which is slow.
        Path file = Fixtures.put(dir, "fuzz" + (opened + rejected) + ".safetensors", content);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                try (PointerScope scope = new PointerScope()) {
                    long numel = f.info(name).numel();
                    assertThat(f.tensor(name).numel()).isEqualTo(numel);
                    assertThat(f.view(name).numel()).isEqualTo(numel);
                    assertThat(f.load(name, DType.F32).numel()).isEqualTo(numel);
                    assertThat(f.bytes(name).byteSize()).isEqualTo(f.info(name).byteLength());
                }
            }
            opened++;
        } catch (SafetensorsException expected) {
            assertThat(expected.getMessage()).contains(file.toString());
            rejected++;
        } catch (Throwable unexpected) {
            throw new AssertionError(label + " escaped as " + unexpected, unexpected);
        } finally {
            Files.delete(file);
        }
    }
}
