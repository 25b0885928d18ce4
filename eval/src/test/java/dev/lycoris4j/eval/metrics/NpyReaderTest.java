package dev.lycoris4j.eval.metrics;

import dev.lycoris4j.core.testing.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyReaderTest {

    /** An .npy as numpy writes it: magic, version, little-endian header length, dict header, data. */
    private static byte[] npy(int major, String descr, String fortran, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
        int prefix = major == 1 ? 10 : 12;
        StringBuilder header = new StringBuilder(dict);
        while ((prefix + header.length() + 1) % 64 != 0) header.append(' ');
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocate(prefix + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) buf.putShort((short) h.length); else buf.putInt(h.length);
        return buf.put(h).put(data).array();
    }

    private static byte[] littleEndian(int bytesPerValue, long... bitPatterns) {
        ByteBuffer b = ByteBuffer.allocate(bitPatterns.length * bytesPerValue).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : bitPatterns) {
            switch (bytesPerValue) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    @Test
    void readsFloatAndIntegerDtypes() throws IOException {
        NumpyArray f4 = NpyReader.parse(npy(1, "<f4", "False", "(2, 3)", littleEndian(4,
                Float.floatToIntBits(1.5f), Float.floatToIntBits(-2f), Float.floatToIntBits(0.1f), 0, 0,
                Float.floatToIntBits(7f))), "f4");
        assertThat(f4.shape()).containsExactly(2, 3);
        assertThat(f4.values()).containsExactly(1.5, -2, 0.1f, 0, 0, 7);
        assertThat(f4.toMatrix().get(1, 2)).isEqualTo(7);
        // Half precision: 0x3E00 = 1.5, 0xC000 = -2, 0x3555 = 0.333251953125.
        NumpyArray f2 = NpyReader.parse(npy(2, "<f2", "False", "(3,)", littleEndian(2, 0x3E00, 0xC000, 0x3555)), "f2");
        assertThat(f2.dtype()).isEqualTo("<f2");
        assertThat(f2.values()).containsExactly(1.5, -2, 0.333251953125);
        NumpyArray f8 = NpyReader.parse(npy(1, "<f8", "False", "()", littleEndian(8, Double.doubleToLongBits(Math.PI))), "f8");
        assertThat(f8.shape()).isEmpty();
        assertThat(f8.values()).containsExactly(Math.PI);
        NumpyArray i8 = NpyReader.parse(npy(1, "<i8", "False", "(2,)", littleEndian(8, -5, 1L << 40)), "i8");
        assertThat(i8.values()).containsExactly(-5, 0x1p40);
        NumpyArray u1 = NpyReader.parse(npy(1, "|u1", "False", "(2,)", new byte[] {(byte) 255, 3}), "u1");
        assertThat(u1.values()).containsExactly(255, 3);
    }

    @Test
    void malformedInputNamesTheSource() {
        byte[] good = npy(1, "<f4", "False", "(1,)", littleEndian(4, 0));
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertThatThrownBy(() -> NpyReader.parse(badMagic, "a.npy")).isInstanceOf(IOException.class)
                .hasMessageContaining("a.npy").hasMessageContaining("magic");
        assertThatThrownBy(() -> NpyReader.parse(npy(1, "<f4", "True", "(1,)", littleEndian(4, 0)), "b.npy"))
                .hasMessageContaining("b.npy").hasMessageContaining("Fortran");
        assertThatThrownBy(() -> NpyReader.parse(npy(1, "<f4", "False", "(4,)", littleEndian(4, 0)), "c.npy"))
                .hasMessageContaining("c.npy").hasMessageContaining("bytes");
        assertThatThrownBy(() -> NpyReader.parse(npy(1, "<c8", "False", "(1,)", littleEndian(8, 0)), "d.npy"))
                .hasMessageContaining("d.npy").hasMessageContaining("<c8");
        assertThatThrownBy(() -> NpyReader.parse(npy(1, ">f4", "False", "(1,)", littleEndian(4, 0)), "e.npy"))
                .hasMessageContaining("big-endian");
        assertThatThrownBy(() -> NpyReader.parse(java.util.Arrays.copyOf(good, 20), "f.npy"))
                .hasMessageContaining("f.npy").hasMessageContaining("truncated");
    }

    @Test
    void readsStoredAndDeflatedNpzArchives(@TempDir Path dir) throws IOException {
        Path npz = dir.resolve("features.npz");
        try (OutputStream out = Files.newOutputStream(npz); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("clip-L-14-resize.npy"));
            zip.write(npy(1, "<f4", "False", "(1, 2)", littleEndian(4, Float.floatToIntBits(3f), Float.floatToIntBits(4f))));
            zip.closeEntry();
        }
        Map<String, NumpyArray> arrays = NpyReader.readNpz(npz);
        assertThat(arrays).containsOnlyKeys("clip-L-14-resize");
        assertThat(arrays.get("clip-L-14-resize").values()).containsExactly(3, 4);

        Path notZip = Files.write(dir.resolve("broken.npz"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> NpyReader.readNpz(notZip)).isInstanceOf(IOException.class)
                .hasMessageContaining("broken.npz");
    }

    @Test
    void readsTheGoldenFeatureFiles() throws IOException {
        Path leaf = Golden.path("eval/metrics_tree/ref/people/Admiral_Piett/figurine");
        Map<String, NumpyArray> ref = NpyReader.readNpz(leaf.resolve("image-features.npz"));
        assertThat(ref.keySet()).containsExactlyInAnyOrderElementsOf(List.of("clip-L-14-resize", "clip-L-14-crop",
                "clip-L-14-padding", "dinov2-l-fb-resize", "dinov2-l-fb-crop", "dinov2-l-fb-padding"));
        // Tree description: clip features float16 [n, 16], dinov2 float32 [n, 12], 8/7/8 reference rows.
        assertThat(ref.get("clip-L-14-crop").dtype()).isEqualTo("<f2");
        assertThat(ref.get("clip-L-14-crop").shape()).containsExactly(7, 16);
        assertThat(ref.get("dinov2-l-fb-padding").dtype()).isEqualTo("<f4");
        assertThat(ref.get("dinov2-l-fb-padding").shape()).containsExactly(8, 12);
        NumpyArray text = NpyReader.readNpy(leaf.resolve("triggeronly-clip-text-features.npy"));
        assertThat(text.dtype()).isEqualTo("<f2");
        assertThat(text.shape()).containsExactly(10, 16);
    }
}
