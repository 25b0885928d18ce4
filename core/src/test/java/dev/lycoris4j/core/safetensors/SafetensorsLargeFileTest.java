package dev.lycoris4j.core.safetensors;

import dev.lycoris4j.core.tensor.DType;
import dev.lycoris4j.core.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Offsets past 2 GiB, on a sparse file: only the header and a few bytes are actually written. */
class SafetensorsLargeFileTest {
    @TempDir
    Path dir;

    private static final long BIG = (1L << 31) + 64;
    private static final long PROBE = (1L << 31) + 5;

    @Test
    void tensorsBeyondTwoGibibytesRead() throws IOException {
        String json = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + BIG + "],\"data_offsets\":[0," + BIG + "]},"
                + "\"small\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + BIG + "," + (BIG + 16) + "]}}";
        byte[] header = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + header.length;
        Path file = dir.resolve("sparse.safetensors");
        try {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(dataStart + BIG + 16);
                raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
                raf.write(header);
                raf.seek(dataStart + PROBE);
                raf.write(0x5A);
                raf.seek(dataStart + BIG);
                raf.write(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                        .putFloat(1f).putFloat(-2f).putFloat(0.25f).putFloat(1e30f).array());
            }
            try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
                assertThat(f.info("big").byteLength()).isEqualTo(BIG);
                assertThat(f.info("small").byteOffset()).isEqualTo(dataStart + BIG).isGreaterThan(1L << 31);
                MemorySegment big = f.bytes("big");
                assertThat(big.byteSize()).isEqualTo(BIG);
                assertThat(big.get(ValueLayout.JAVA_BYTE, PROBE)).isEqualTo((byte) 0x5A);
                assertThat(big.get(ValueLayout.JAVA_BYTE, PROBE + 1)).isZero();
                assertThat(Tensors.toFloats(f.tensor("small"))).containsExactly(1f, -2f, 0.25f, 1e30f);
                assertThat(Tensors.toFloats(f.view("small"))).containsExactly(1f, -2f, 0.25f, 1e30f);
                assertThat(Tensors.toDoubles(f.load("small", DType.F64))).containsExactly(1, -2, 0.25, (double) 1e30f);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
