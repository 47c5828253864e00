package org.pyj4.ndarray;

import java.util.Locale;

/**
 * Element types. Names and promotion follow NumPy 2 (NEP 50); bfloat16, which NumPy lacks, follows
 * ml_dtypes/JAX (bfloat16 with float16 gives float32).
 */
public enum DType {
    BOOL("bool", 1, Kind.BOOL),
    UINT8("uint8", 1, Kind.UINT),
    INT8("int8", 1, Kind.INT),
    INT16("int16", 2, Kind.INT),
    INT32("int32", 4, Kind.INT),
    INT64("int64", 8, Kind.INT),
    FLOAT16("float16", 2, Kind.FLOAT),
    BFLOAT16("bfloat16", 2, Kind.FLOAT),
    FLOAT32("float32", 4, Kind.FLOAT),
    FLOAT64("float64", 8, Kind.FLOAT);

    /** The category of a dtype. */
    public enum Kind { BOOL, UINT, INT, FLOAT }

    private final String name;
    private final int itemSize;
    private final Kind kind;

    DType(String name, int itemSize, Kind kind) {
        this.name = name;
        this.itemSize = itemSize;
        this.kind = kind;
    }

    /** NumPy's name for this dtype ("float32", "int64", ...). */
    public String typeName() { return name; }
    public int itemSize() { return itemSize; }
    public Kind kind() { return kind; }
    public boolean isFloat() { return kind == Kind.FLOAT; }
    public boolean isInteger() { return kind == Kind.INT || kind == Kind.UINT; }
    public boolean isBool() { return kind == Kind.BOOL; }

    @Override public String toString() { return name; }

    /** Parses a NumPy-style name: "float32", "f4", "int", "float", "bool", "bfloat16", ... */
    public static DType of(String spec) {
        if (spec == null) throw new DTypeException("dtype must not be null");
        String s = spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "f4": case "float32": case "single": return FLOAT32;
            case "f8": case "float64": case "double": case "float": return FLOAT64;
            case "f2": case "float16": case "half": return FLOAT16;
            case "bf16": case "bfloat16": return BFLOAT16;
            case "i1": case "int8": return INT8;
            case "i2": case "int16": return INT16;
            case "i4": case "int32": return INT32;
            case "i8": case "int64": case "int": case "long": return INT64;
            case "u1": case "uint8": return UINT8;
            case "?": case "b1": case "bool": case "bool_": return BOOL;
            default:
                throw new DTypeException("unsupported dtype: expected one of float32, float64, float16, "
                        + "bfloat16, int8, int16, int32, int64, uint8, bool. Received: dtype='" + spec + "'");
        }
    }

    /** Largest integer value representable, for range checks of Python integers. */
    public long maxInteger() {
        switch (this) {
            case BOOL: return 1;
            case UINT8: return 255;
            case INT8: return Byte.MAX_VALUE;
            case INT16: return Short.MAX_VALUE;
            case INT32: return Integer.MAX_VALUE;
            default: return Long.MAX_VALUE;
        }
    }

    public long minInteger() {
        switch (this) {
            case BOOL: case UINT8: return 0;
            case INT8: return Byte.MIN_VALUE;
            case INT16: return Short.MIN_VALUE;
            case INT32: return Integer.MIN_VALUE;
            default: return Long.MIN_VALUE;
        }
    }

    /** NumPy 2 promotion of two array dtypes. */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.isBool()) return b;
        if (b.isBool()) return a;
        if (a.isFloat() && b.isFloat()) return promoteFloats(a, b);
        if (a.isFloat()) return promoteFloats(a, floatHolding(b, a));
        if (b.isFloat()) return promoteFloats(b, floatHolding(a, b));
        return promoteIntegers(a, b);
    }

    private static DType promoteFloats(DType a, DType b) {
        if (a == b) return a;
        if (a == FLOAT64 || b == FLOAT64) return FLOAT64;
        if (a == FLOAT32 || b == FLOAT32) return FLOAT32;
        return FLOAT32; // float16 with bfloat16
    }

    /** The smallest float that holds every value of integer type i, given the float it meets. */
    private static DType floatHolding(DType i, DType f) {
        switch (i) {
            case UINT8: case INT8: return f;
            case INT16: return FLOAT32;
            default: return FLOAT64;
        }
    }

    private static DType promoteIntegers(DType a, DType b) {
        if (a.kind == b.kind) return a.itemSize >= b.itemSize ? a : b;
        DType signed = a.kind == Kind.INT ? a : b;  // the other one is uint8, the only unsigned type
        return signed.itemSize > 1 ? signed : INT16;
    }

    /**
     * Promotion of an array dtype with a Python scalar ("weak" type, NEP 50): the array's dtype wins
     * within its kind; an int scalar lifts bool to int64, a float scalar lifts bool/int to float64.
     */
    public static DType promoteWeak(DType array, DType.Kind scalarKind) {
        switch (scalarKind) {
            case BOOL: return array;
            case INT: case UINT: return array.isBool() ? INT64 : array;
            default: return array.isFloat() ? array : FLOAT64;
        }
    }

    /**
     * Result type of float-only math (exp, log, sin, true division) on this dtype, as NumPy picks it:
     * floats stay, small integers go to float16, int16 to float32, wider ones to float64.
     */
    public DType toFloat() {
        switch (this) {
            case BOOL: case UINT8: case INT8: return FLOAT16;
            case INT16: return FLOAT32;
            case INT32: case INT64: return FLOAT64;
            default: return this;
        }
    }

    /** The dtype of sum/prod over this dtype: NumPy widens small integers to int64. */
    public DType sumType() {
        // NumPy gives uint64 for uint8; pyj4 has no uint64 and uses int64 (identical below 2^63).
        return isFloat() ? this : INT64;
    }
}
