package org.pyj4.ndarray;

import org.pyj4.backend.BinaryOp;

/** Result dtypes of operations on several arrays, NumPy 2 rules (NEP 50) including Python scalars. */
final class Promotion {
    private Promotion() {}

    static DType of(NDArray a, NDArray b) { return of(new NDArray[] {a, b}); }

    /** Strong dtypes promote among themselves; then each Python scalar applies its kind. */
    static DType of(NDArray[] arrays) {
        DType strong = null;
        for (NDArray a : arrays) if (!a.isWeak()) strong = strong == null ? a.dtype() : DType.promote(strong, a.dtype());
        if (strong == null) {
            DType t = arrays[0].dtype();
            for (NDArray a : arrays) t = DType.promote(t, a.dtype());
            return t;
        }
        DType t = strong;
        for (NDArray a : arrays) {
            if (!a.isWeak()) continue;
            t = DType.promoteWeak(t, a.dtype().kind());
            if (a.dtype().isInteger() && t.isInteger()) checkFits(a, t);
        }
        return t;
    }

    /** NumPy 2 raises instead of wrapping a Python int that the array's integer type cannot hold. */
    private static void checkFits(NDArray weakInt, DType t) {
        long v = weakInt.getLong();
        if (v < t.minInteger() || v > t.maxInteger()) {
            throw new ArithmeticException("Python integer " + v + " out of bounds for " + t);
        }
    }

    /** The dtype both operands are cast to before a binary primitive runs; rejects what NumPy rejects. */
    static DType binary(BinaryOp op, NDArray a, NDArray b) {
        DType t = of(a, b);
        String name = NDArray.opName(op);
        switch (op) {
            case DIV:
                return t.isFloat() ? t : DType.FLOAT64;
            case AND: case OR: case XOR:
                if (t.isFloat()) {
                    throw new DTypeException("bitwise_" + name + ": ufunc not supported for the input types. Received: "
                            + a.describe() + " and " + b.describe());
                }
                return t;
            case SUB:
                if (t.isBool()) {
                    throw new DTypeException("subtract: numpy boolean subtract, the `-` operator, is not supported, use the `^` operator "
                            + "or logical_xor instead. Received: " + a.describe() + " and " + b.describe());
                }
                return t;
            case FLOORDIV: case MOD: case POW:
                return t.isBool() ? DType.INT8 : t;
            default:
                return t;
        }
    }

    static void checkNonNegativeExponent(NDArray exponent) {
        if (exponent.size() == 0) return;
        try (NDArray m = exponent.min(null, false)) {
            if (m.getLong() < 0) throw new IllegalArgumentException("power: integers to negative integer powers are not allowed");
        }
    }
}
