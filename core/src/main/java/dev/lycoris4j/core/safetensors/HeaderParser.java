package dev.lycoris4j.core.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.lycoris4j.core.safetensors.SafetensorsException.Defect;
import dev.lycoris4j.core.tensor.DType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates a safetensors JSON header as strictly as the reference Rust library, plus duplicate
 * detection. Streaming (not a tree) so that duplicate names are seen before a map could swallow them and
 * so that each defect gets its own precise message.
 */
final class HeaderParser {
    /** The Rust library's limit; real headers are kilobytes. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    /** A legitimate header nests 3 deep; the limit only stops hostile input early. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private static final Pattern JACKSON_SOURCE = Pattern.compile("\\[Source: [^;]*; ");

    record Header(List<TensorInfo> tensors, Map<String, String> metadata) {}

    /** begin/end relative to the data section, as written in the file. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private final Path file;

    private HeaderParser(Path file) {
        this.file = file;
    }

    /** @param dataStart absolute file position of the data section; {@code dataSize} its length. */
    static Header parse(Path file, byte[] header, long dataStart, long dataSize) throws SafetensorsException {
        return new HeaderParser(file).parse(header, dataStart, dataSize);
    }

    private Header parse(byte[] header, long dataStart, long dataSize) throws SafetensorsException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw fail(null, Defect.HEADER_NOT_UTF8, e.toString());
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) throw fail(null, Defect.HEADER_NOT_JSON, "the header is empty");
            if (t != JsonToken.START_OBJECT) throw fail(null, Defect.HEADER_NOT_OBJECT, "it starts with " + t);
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!seen.add(name)) throw fail(name, Defect.DUPLICATE_NAME, "the name appears twice in the header");
                p.nextToken();
                if (name.equals(METADATA_KEY)) metadata = readMetadata(p);
                else entries.add(readEntry(p, name));
            }
            if (p.nextToken() != null) throw fail(null, Defect.HEADER_NOT_JSON, "content follows the header object");
        } catch (SafetensorsException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(file, null, Defect.HEADER_NOT_JSON, jsonError(e), e);
        } catch (IOException e) {
            throw new SafetensorsException(file, null, Defect.HEADER_NOT_JSON, e.toString(), e);
        }
        List<TensorInfo> tensors = new ArrayList<>(entries.size());
        for (Entry e : entries) tensors.add(validate(e, dataStart, dataSize));
        checkTiling(entries, dataSize);
        return new Header(Collections.unmodifiableList(tensors), metadata);
    }

    private Map<String, String> readMetadata(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw fail(null, Defect.BAD_METADATA, "found " + p.currentToken());
        }
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw fail(null, Defect.BAD_METADATA, "value of '" + key + "' is " + p.currentToken());
            }
            if (out.put(key, p.getText()) != null) {
                throw fail(null, Defect.DUPLICATE_NAME, "metadata key '" + key + "' appears twice");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private Entry readEntry(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw fail(name, Defect.ENTRY_NOT_OBJECT, "found " + p.currentToken());
        }
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (dtype != null) throw duplicateField(name, field);
                    dtype = readDType(p, name);
                }
                case "shape" -> {
                    if (shape != null) throw duplicateField(name, field);
                    shape = readShape(p, name);
                }
                case "data_offsets" -> {
                    if (offsets != null) throw duplicateField(name, field);
                    offsets = readOffsets(p, name);
                }
                default -> {
                    // Unknown fields are ignored, as the reference library does.
                    if (value.isStructStart()) p.skipChildren();
                }
            }
        }
        if (dtype == null) throw fail(name, Defect.MISSING_FIELD, "no 'dtype'");
        if (shape == null) throw fail(name, Defect.MISSING_FIELD, "no 'shape'");
        if (offsets == null) throw fail(name, Defect.MISSING_FIELD, "no 'data_offsets'");
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private DType readDType(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw fail(name, Defect.BAD_FIELD_TYPE, "'dtype' is " + p.currentToken() + ", not a string");
        }
        String s = p.getText();
        DType d = DType.fromSafetensorsName(s);
        if (d == null) {
            throw fail(name, Defect.UNKNOWN_DTYPE, "'" + s + "' is not one of " + Arrays.toString(DType.values()));
        }
        return d;
    }

    private long[] readShape(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw fail(name, Defect.BAD_FIELD_TYPE, "'shape' is " + p.currentToken() + ", not an array");
        }
        long[] dims = new long[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw fail(name, Defect.BAD_FIELD_TYPE, "'shape' holds " + p.currentToken() + ", not an integer");
            }
            if (p.getText().startsWith("-")) {
                throw fail(name, Defect.NEGATIVE_DIMENSION, "dimension " + n + " is " + p.getText());
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw fail(name, Defect.SIZE_OVERFLOW, "dimension " + n + " is " + p.getText());
            }
            if (n == dims.length) dims = Arrays.copyOf(dims, 2 * n);
            dims[n++] = p.getLongValue();
        }
        return Arrays.copyOf(dims, n);
    }

    private long[] readOffsets(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw fail(name, Defect.BAD_FIELD_TYPE, "'data_offsets' is " + p.currentToken() + ", not an array");
        }
        long[] offsets = new long[2];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || n == 2) {
                throw fail(name, Defect.BAD_FIELD_TYPE, "'data_offsets' must be exactly two integers");
            }
            if (p.getText().startsWith("-") || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw fail(name, Defect.OFFSETS_OUT_OF_BOUNDS, "offset " + p.getText() + " is not a file position");
            }
            offsets[n++] = p.getLongValue();
        }
        if (n != 2) throw fail(name, Defect.BAD_FIELD_TYPE, "'data_offsets' must be exactly two integers");
        return offsets;
    }

    private TensorInfo validate(Entry e, long dataStart, long dataSize) throws SafetensorsException {
        String range = "data_offsets [" + e.begin + ", " + e.end + "]";
        if (e.begin > dataSize || e.end > dataSize) {
            throw fail(e.name, Defect.OFFSETS_OUT_OF_BOUNDS, range + " but the data section has " + dataSize + " bytes");
        }
        if (e.begin > e.end) throw fail(e.name, Defect.OFFSETS_REVERSED, range);
        String what = e.dtype + Arrays.toString(e.shape);
        long bytes;
        try {
            long numel = 1;
            for (long d : e.shape) numel = Math.multiplyExact(numel, d);
            bytes = Math.multiplyExact(numel, (long) e.dtype.byteSize());
        } catch (ArithmeticException overflow) {
            throw fail(e.name, Defect.SIZE_OVERFLOW, what);
        }
        if (bytes != e.end - e.begin) {
            throw fail(e.name, Defect.SIZE_MISMATCH,
                    range + " hold " + (e.end - e.begin) + " bytes but " + what + " needs " + bytes);
        }
        return new TensorInfo(e.name, e.dtype, e.shape, dataStart + e.begin, bytes);
    }

    /** Sorted by offsets, each tensor must start where the previous ended, from 0 to the end of the file. */
    private void checkTiling(List<Entry> entries, long dataSize) throws SafetensorsException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        String previous = null;
        for (Entry e : sorted) {
            if (e.begin != expected) {
                String where = previous == null ? "the data section starts at 0"
                        : "the previous tensor '" + previous + "' ends at " + expected;
                String kind = e.begin < expected ? "overlap" : "gap";
                throw fail(e.name, Defect.OFFSETS_NOT_CONTIGUOUS, kind + ": it begins at " + e.begin + " but " + where);
            }
            expected = e.end;
            previous = e.name;
        }
        if (expected != dataSize) {
            throw fail(null, Defect.OFFSETS_NOT_CONTIGUOUS,
                    "tensor data ends at " + expected + " but the data section has " + dataSize + " bytes");
        }
    }

    /** Jackson's message without its "[Source: REDACTED ...]" boilerplate, plus the header position. */
    private static String jsonError(JsonProcessingException e) {
        String message = JACKSON_SOURCE.matcher(e.getOriginalMessage()).replaceAll("[");
        var at = e.getLocation();
        return at == null ? message : message + " (header line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    private SafetensorsException duplicateField(String tensor, String field) {
        return fail(tensor, Defect.DUPLICATE_NAME, "field '" + field + "' appears twice");
    }

    private SafetensorsException fail(String tensor, Defect defect, String detail) {
        return new SafetensorsException(file, tensor, defect, detail);
    }
}
