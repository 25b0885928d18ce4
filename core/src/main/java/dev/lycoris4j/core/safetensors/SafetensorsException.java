package dev.lycoris4j.core.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that cannot be read, or a request it cannot satisfy. The message always names the
 * file and, where one is involved, the tensor; {@link #defect()} says what is wrong in a testable way.
 * Checked (an {@link IOException}) because a bad file on disk is an expected, recoverable condition.
 */
public final class SafetensorsException extends IOException {

    /** Every way a file can be unusable. */
    public enum Defect {
        UNREADABLE("cannot be read"),
        FILE_TOO_SHORT("is shorter than the 8-byte header length prefix"),
        HEADER_TOO_LARGE("declares an absurdly large header"),
        HEADER_LENGTH_OUT_OF_BOUNDS("declares a header longer than the file"),
        HEADER_NOT_UTF8("has a header that is not valid UTF-8"),
        HEADER_NOT_JSON("has a header that is not valid JSON"),
        HEADER_NOT_OBJECT("has a header that is not a JSON object"),
        DUPLICATE_NAME("has a name that appears twice in one JSON object"),
        BAD_METADATA("has a __metadata__ entry that is not an object of string to string"),
        ENTRY_NOT_OBJECT("has a tensor entry that is not a JSON object"),
        MISSING_FIELD("has a tensor entry without a required field"),
        BAD_FIELD_TYPE("has a tensor entry field of the wrong type"),
        UNKNOWN_DTYPE("has a tensor of unknown dtype"),
        NEGATIVE_DIMENSION("has a tensor with a negative dimension"),
        SIZE_OVERFLOW("has a tensor whose byte size overflows 64 bits"),
        OFFSETS_OUT_OF_BOUNDS("has tensor data offsets outside the data section"),
        OFFSETS_REVERSED("has tensor data offsets with begin after end"),
        SIZE_MISMATCH("has a tensor whose data length does not match its dtype and shape"),
        OFFSETS_NOT_CONTIGUOUS("has tensors that do not tile the data section exactly (gap or overlap)"),
        NO_SUCH_TENSOR("does not contain the requested tensor");

        private final String description;

        Defect(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final Path file;
    private final String tensor;
    private final Defect defect;

    SafetensorsException(Path file, String tensor, Defect defect, String detail, Throwable cause) {
        super(message(file, tensor, defect, detail), cause);
        this.file = file;
        this.tensor = tensor;
        this.defect = defect;
    }

    SafetensorsException(Path file, String tensor, Defect defect, String detail) {
        this(file, tensor, defect, detail, null);
    }

    private static String message(Path file, String tensor, Defect defect, String detail) {
        StringBuilder sb = new StringBuilder("safetensors file ").append(file).append(' ').append(defect.description);
        if (tensor != null) sb.append(" (tensor '").append(tensor).append("')");
        if (detail != null && !detail.isEmpty()) sb.append(": ").append(detail);
        return sb.append(" [").append(defect).append(']').toString();
    }

    public Path file() {
        return file;
    }

    /** The tensor involved, or null when the defect is not about one tensor. */
    public String tensor() {
        return tensor;
    }

    public Defect defect() {
        return defect;
    }
}
