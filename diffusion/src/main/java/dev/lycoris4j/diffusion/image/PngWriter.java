package dev.lycoris4j.diffusion.image;

import dev.lycoris4j.core.io.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 8-bit RGB PNGs with text chunks. A1111 and most UIs read generation settings from a text
 * chunk named {@code parameters}; non-Latin-1 text goes into an iTXt chunk (UTF-8) as PNG requires.
 */
public final class PngWriter {
    private PngWriter() {}

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    public static void write(Path file, int width, int height, byte[] rgb, Map<String, String> text) throws IOException {
        byte[] png = encode(width, height, rgb, text);
        AtomicFiles.write(file, ch -> ch.write(ByteBuffer.wrap(png)));
    }

    public static byte[] encode(int width, int height, byte[] rgb, Map<String, String> text) {
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("RGB buffer of " + rgb.length + " bytes does not hold " + width + "×" + height);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        for (var e : text.entrySet()) textChunk(out, e.getKey(), e.getValue());
        chunk(out, "IDAT", deflate(scanlines(width, height, rgb)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** Each row prefixed with filter type 0 (none): simple, and the image data stays byte-exact. */
    private static byte[] scanlines(int width, int height, byte[] rgb) {
        int stride = width * 3;
        byte[] raw = new byte[(stride + 1) * height];
        for (int y = 0; y < height; y++) System.arraycopy(rgb, y * stride, raw, y * (stride + 1) + 1, stride);
        return raw;
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(6);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
        byte[] buf = new byte[65536];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    private static void textChunk(ByteArrayOutputStream out, String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        boolean latin1 = StandardCharsets.ISO_8859_1.newEncoder().canEncode(value);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(k);
        body.write(0);
        if (latin1) {
            body.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
            chunk(out, "tEXt", body.toByteArray());
        } else {
            body.write(0); // not compressed
            body.write(0); // compression method
            body.write(0); // empty language tag
            body.write(0); // empty translated keyword
            body.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            chunk(out, "iTXt", body.toByteArray());
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
