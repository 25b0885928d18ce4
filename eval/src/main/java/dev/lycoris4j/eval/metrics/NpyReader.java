package dev.lycoris4j.eval.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads numpy's {@code .npy} files and {@code .npz} archives (a zip of {@code <key>.npy} members, stored
 * or deflated), the formats LyCORIS-evaluation keeps features in. Supports format versions 1–3, C order,
 * little-endian or single-byte float and integer dtypes. Malformed input throws
 * {@link IOException} naming the file (and member).
 */
public final class NpyReader {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyReader() {}

    public static NumpyArray readNpy(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** All arrays of an {@code .npz}, keyed by member name without ".npy", in archive order. */
    public static Map<String, NumpyArray> readNpz(Path file) throws IOException {
        Map<String, NumpyArray> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory()) continue;
                String name = entry.getName();
                if (!name.endsWith(".npy")) {
                    throw new IOException(file + ": member '" + name + "' is not an .npy array");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    arrays.put(name.substring(0, name.length() - 4), parse(in.readAllBytes(), file + "!" + name));
                }
            }
        } catch (ZipException e) {
            throw new IOException(file + ": not a valid .npz (zip) archive: " + e.getMessage(), e);
        }
        return arrays;
    }

    /** Parses the bytes of one {@code .npy}; {@code source} names it in errors. */
    public static NumpyArray parse(byte[] bytes, String source) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(source + ": not an .npy file (bad magic)");
        }
        int major = bytes[6];
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buf.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new IOException(source + ": truncated .npy header");
            headerLength = buf.getInt(8);
            headerStart = 12;
        } else {
            throw new IOException(source + ": unsupported .npy format version " + major);
        }
        if (headerLength < 0 || headerStart + (long) headerLength > bytes.length) {
            throw new IOException(source + ": truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, "descr", source);
        if (group(FORTRAN, header, "fortran_order", source).equals("True")) {
            throw new IOException(source + ": Fortran-order arrays are not supported");
        }
        long[] shape = parseShape(group(SHAPE, header, "shape", source), source);
        long count = 1;
        for (long s : shape) count = Math.multiplyExact(count, s);
        ElementType type = ElementType.of(descr, source);
        int dataStart = headerStart + headerLength;
        if (count > Integer.MAX_VALUE || bytes.length - dataStart < count * type.size) {
            throw new IOException(source + ": data holds " + (bytes.length - dataStart) + " bytes, shape needs "
                    + count * type.size);
        }
        double[] values = new double[(int) count];
        for (int i = 0; i < values.length; i++) values[i] = type.read(buf, dataStart + i * type.size);
        return new NumpyArray(descr, shape, values);
    }

    private static String group(Pattern pattern, String header, String key, String source) throws IOException {
        Matcher m = pattern.matcher(header);
        if (!m.find()) throw new IOException(source + ": .npy header has no readable '" + key + "': " + header.strip());
        return m.group(1);
    }

    private static long[] parseShape(String tuple, String source) throws IOException {
        String[] parts = tuple.split(",");
        int n = 0;
        long[] shape = new long[parts.length];
        for (String part : parts) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            try {
                shape[n++] = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
            } catch (NumberFormatException e) {
                throw new IOException(source + ": bad shape (" + tuple + ")");
            }
        }
        return Arrays.copyOf(shape, n);
    }

    /** Element types by numpy descr; '|' and '<' are both little-endian for this machine-independent read. */
    private enum ElementType {
        F2(2), F4(4), F8(8), I1(1), U1(1), I2(2), U2(2), I4(4), U4(4), I8(8), BOOL(1);

        final int size;

        ElementType(int size) {
            this.size = size;
        }

        static ElementType of(String descr, String source) throws IOException {
            if (descr.length() >= 2 && descr.charAt(0) == '>' && descr.charAt(descr.length() - 1) != '1') {
                throw new IOException(source + ": big-endian dtype " + descr + " is not supported");
            }
            return switch (descr.length() >= 2 ? descr.substring(1) : descr) {
                case "f2" -> F2;
                case "f4" -> F4;
                case "f8" -> F8;
                case "i1" -> I1;
                case "u1" -> U1;
                case "i2" -> I2;
                case "u2" -> U2;
                case "i4" -> I4;
                case "u4" -> U4;
                case "i8" -> I8;
                case "b1" -> BOOL;
                default -> throw new IOException(source + ": unsupported dtype '" + descr + "'");
            };
        }

        double read(ByteBuffer buf, int offset) {
            return switch (this) {
                case F2 -> Float.float16ToFloat(buf.getShort(offset));
                case F4 -> buf.getFloat(offset);
                case F8 -> buf.getDouble(offset);
                case I1, BOOL -> buf.get(offset);
                case U1 -> Byte.toUnsignedInt(buf.get(offset));
                case I2 -> buf.getShort(offset);
                case U2 -> Short.toUnsignedInt(buf.getShort(offset));
                case I4 -> buf.getInt(offset);
                case U4 -> Integer.toUnsignedLong(buf.getInt(offset));
                case I8 -> buf.getLong(offset);
            };
        }
    }
}
