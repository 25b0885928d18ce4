package dev.lycoris4j.core.tensor;

import org.bytedeco.pytorch.global.torch.ScalarType;

import java.util.Locale;

/**
 * Element types as safetensors names them, with their size and libtorch scalar type.
 * This is the single table that links the file format, the engine and user-facing names.
 */
public enum DType {
    F64("F64", 8, ScalarType.Double),
    F32("F32", 4, ScalarType.Float),
    F16("F16", 2, ScalarType.Half),
    BF16("BF16", 2, ScalarType.BFloat16),
    I64("I64", 8, ScalarType.Long),
    I32("I32", 4, ScalarType.Int),
    I16("I16", 2, ScalarType.Short),
    I8("I8", 1, ScalarType.Char),
    U8("U8", 1, ScalarType.Byte),
    BOOL("BOOL", 1, ScalarType.Bool),
    F8_E4M3("F8_E4M3", 1, ScalarType.Float8_e4m3fn),
    F8_E5M2("F8_E5M2", 1, ScalarType.Float8_e5m2);

    private final String safetensorsName;
    private final int byteSize;
    private final ScalarType scalarType;

    DType(String safetensorsName, int byteSize, ScalarType scalarType) {
        this.safetensorsName = safetensorsName;
        this.byteSize = byteSize;
        this.scalarType = scalarType;
    }

    public String safetensorsName() { return safetensorsName; }

    public int byteSize() { return byteSize; }

    public ScalarType scalarType() { return scalarType; }

    public boolean isFloatingPoint() {
        return switch (this) {
            case F64, F32, F16, BF16, F8_E4M3, F8_E5M2 -> true;
            default -> false;
        };
    }

    /** The dtype with this safetensors name, or null when the name is not one of the format's. */
    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) return t;
        }
        return null;
    }

    public static DType of(ScalarType scalarType) {
        for (DType t : values()) {
            // By value: JavaCPP hands back enum objects that are not always the interned constants.
            if (t.scalarType.value == scalarType.value) return t;
        }
        throw new IllegalArgumentException("no safetensors dtype for libtorch scalar type " + scalarType);
    }

    /** Parses the names users type on command lines: fp32/float/f32, fp16/half/f16, bf16, fp64/double. */
    public static DType parseUserName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fp32", "float32", "float", "f32" -> F32;
            case "fp16", "float16", "half", "f16" -> F16;
            case "bf16", "bfloat16" -> BF16;
            case "fp64", "float64", "double", "f64" -> F64;
            default -> throw new IllegalArgumentException(
                    "unknown dtype '" + name + "': use fp32, fp16, bf16 or fp64");
        };
    }
}
