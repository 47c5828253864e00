package org.pyj4.arrow;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.DTypeException;

/**
 * Which Arrow types an NDArray can share memory with: fixed-width numbers whose bytes mean the same
 * on both sides. Arrow's bool is one bit per value (NDArray's is one byte), so it is converted, never
 * shared; bfloat16 has no Arrow type; everything else is refused with the type named.
 */
final class ArrowDTypes {
    private ArrowDTypes() {}

    /** The NDArray dtype whose bytes are laid out exactly like this Arrow type's values, or null. */
    static DType sharedDType(ArrowType type) {
        if (type instanceof ArrowType.FloatingPoint) {
            switch (((ArrowType.FloatingPoint) type).getPrecision()) {
                case HALF: return DType.FLOAT16;
                case SINGLE: return DType.FLOAT32;
                case DOUBLE: return DType.FLOAT64;
                default: return null;
            }
        }
        if (type instanceof ArrowType.Int) {
            ArrowType.Int t = (ArrowType.Int) type;
            if (!t.getIsSigned()) return t.getBitWidth() == 8 ? DType.UINT8 : null;
            switch (t.getBitWidth()) {
                case 8: return DType.INT8;
                case 16: return DType.INT16;
                case 32: return DType.INT32;
                case 64: return DType.INT64;
                default: return null;
            }
        }
        return null;
    }

    static boolean isBool(ArrowType type) { return type instanceof ArrowType.Bool; }

    /** The Arrow type of an NDArray dtype (bool included: it is converted to bits on export). */
    static ArrowType arrowType(DType dtype) {
        switch (dtype) {
            case BOOL: return ArrowType.Bool.INSTANCE;
            case UINT8: return new ArrowType.Int(8, false);
            case INT8: return new ArrowType.Int(8, true);
            case INT16: return new ArrowType.Int(16, true);
            case INT32: return new ArrowType.Int(32, true);
            case INT64: return new ArrowType.Int(64, true);
            case FLOAT16: return new ArrowType.FloatingPoint(FloatingPointPrecision.HALF);
            case FLOAT32: return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case FLOAT64: return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            default:
                throw new DTypeException("to Arrow: Arrow has no " + dtype + " type; convert first, e.g. astype(\"float32\"). Received: dtype=" + dtype);
        }
    }

    static DTypeException unsupported(String what, Object type) {
        return new DTypeException(what + ": expected an Arrow column of float16, float32, float64, int8, int16, int32, int64, uint8 or bool "
                + "values, or a fixed-size list / arrow.fixed_shape_tensor of them. Received: type=" + type);
    }
}
