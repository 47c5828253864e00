package org.pyj4.backend.reference;

import org.pyj4.backend.Tensor;
import org.pyj4.memory.HostBuffer;
import org.pyj4.memory.NativeMemory;
import org.pyj4.ndarray.DType;

/**
 * Typed element access for host tensors, and the number conversions that define pyj4's dtypes.
 *
 * <p>Values travel in one of three forms: {@code double} (floats; integers read exactly up to 2^53),
 * {@code long} (integers and bools; bools read as 0/1 whatever nonzero byte holds them), or raw bits
 * (the element's bit pattern, for moves that must not change a value, such as NaN payloads).
 * Stores convert: to floats with one round-to-nearest-even, to integers by wrapping to the width
 * (two's complement), to bool as {@code != 0}. Every bulk method switches on the dtype once and then
 * loops, so the per-element work is a plain read or write.
 */
public final class Elements {
    private Elements() {}

    /** Address of element 0 of a host tensor's buffer (its offset is already part of the element indices). */
    static long base(Tensor t) { return ((HostBuffer) t.buffer()).address(); }

    // ------------------------------------------------------------------ bulk reads

    /** dst[i] = element idx[i] of t, as a double. */
    static void loadDoubles(Tensor t, long[] idx, int n, double[] dst) {
        long base = base(t);
        switch (t.dtype()) {
            case FLOAT64: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getDouble(base + idx[i] * 8); break;
            case FLOAT32: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getFloat(base + idx[i] * 4); break;
            case FLOAT16: for (int i = 0; i < n; i++) dst[i] = halfToDouble(NativeMemory.getShort(base + idx[i] * 2)); break;
            case BFLOAT16: for (int i = 0; i < n; i++) dst[i] = bfloat16ToDouble(NativeMemory.getShort(base + idx[i] * 2)); break;
            default: {
                // Integers and bools: through long, which is exact for all of them.
                long[] tmp = new long[n];
                loadLongs(t, idx, n, tmp);
                for (int i = 0; i < n; i++) dst[i] = tmp[i];
            }
        }
    }

    /** dst[i] = element idx[i] of t as a long: integers exactly, bools as 0/1, floats cast like {@link #floatToLong}. */
    static void loadLongs(Tensor t, long[] idx, int n, long[] dst) {
        long base = base(t);
        switch (t.dtype()) {
            case BOOL: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getByte(base + idx[i]) != 0 ? 1 : 0; break;
            case UINT8: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getByte(base + idx[i]) & 0xFF; break;
            case INT8: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getByte(base + idx[i]); break;
            case INT16: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getShort(base + idx[i] * 2); break;
            case INT32: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getInt(base + idx[i] * 4); break;
            case INT64: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getLong(base + idx[i] * 8); break;
            default: {
                double[] tmp = new double[n];
                loadDoubles(t, idx, n, tmp);
                for (int i = 0; i < n; i++) dst[i] = floatToLong(tmp[i]);
            }
        }
    }

    /** dst[i] = raw bits of element idx[i] (sign-extended; uint8 zero-extended; bools normalized to 0/1). */
    static void loadBits(Tensor t, long[] idx, int n, long[] dst) {
        long base = base(t);
        switch (t.dtype().itemSize()) {
            case 1: loadLongs(t, idx, n, dst); break;
            case 2: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getShort(base + idx[i] * 2); break;
            case 4: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getInt(base + idx[i] * 4); break;
            default: for (int i = 0; i < n; i++) dst[i] = NativeMemory.getLong(base + idx[i] * 8);
        }
    }

    // ------------------------------------------------------------------ bulk writes

    /** Element idx[i] of t = src[i], rounded to a float dtype, or cast like {@link #floatToLong} to an integer, or != 0 to bool. */
    static void storeDoubles(Tensor t, long[] idx, int n, double[] src) {
        long base = base(t);
        switch (t.dtype()) {
            case FLOAT64: for (int i = 0; i < n; i++) NativeMemory.putDouble(base + idx[i] * 8, src[i]); break;
            case FLOAT32: for (int i = 0; i < n; i++) NativeMemory.putFloat(base + idx[i] * 4, (float) src[i]); break;
            case FLOAT16: for (int i = 0; i < n; i++) NativeMemory.putShort(base + idx[i] * 2, doubleToHalf(src[i])); break;
            case BFLOAT16: for (int i = 0; i < n; i++) NativeMemory.putShort(base + idx[i] * 2, doubleToBfloat16(src[i])); break;
            case BOOL: for (int i = 0; i < n; i++) NativeMemory.putByte(base + idx[i], (byte) (src[i] != 0 ? 1 : 0)); break;
            default: {
                long[] tmp = new long[n];
                for (int i = 0; i < n; i++) tmp[i] = floatToLong(src[i]);
                storeLongs(t, idx, n, tmp);
            }
        }
    }

    /** Element idx[i] of t = src[i], wrapped to an integer width, != 0 for bool, or rounded once to a float. */
    static void storeLongs(Tensor t, long[] idx, int n, long[] src) {
        long base = base(t);
        switch (t.dtype()) {
            case BOOL: for (int i = 0; i < n; i++) NativeMemory.putByte(base + idx[i], (byte) (src[i] != 0 ? 1 : 0)); break;
            case UINT8: case INT8: for (int i = 0; i < n; i++) NativeMemory.putByte(base + idx[i], (byte) src[i]); break;
            case INT16: for (int i = 0; i < n; i++) NativeMemory.putShort(base + idx[i] * 2, (short) src[i]); break;
            case INT32: for (int i = 0; i < n; i++) NativeMemory.putInt(base + idx[i] * 4, (int) src[i]); break;
            case INT64: for (int i = 0; i < n; i++) NativeMemory.putLong(base + idx[i] * 8, src[i]); break;
            case FLOAT64: for (int i = 0; i < n; i++) NativeMemory.putDouble(base + idx[i] * 8, (double) src[i]); break;
            case FLOAT32: for (int i = 0; i < n; i++) NativeMemory.putFloat(base + idx[i] * 4, (float) src[i]); break;
            default: {
                // float16/bfloat16: via a round-to-odd double, so that large int64 values round only once.
                double[] tmp = new double[n];
                for (int i = 0; i < n; i++) tmp[i] = longToDoubleRoundToOdd(src[i]);
                storeDoubles(t, idx, n, tmp);
            }
        }
    }

    /** Element idx[i] of t = the raw bits src[i] (truncated to the item size; bools as != 0). */
    static void storeBits(Tensor t, long[] idx, int n, long[] src) {
        long base = base(t);
        switch (t.dtype().itemSize()) {
            case 1: storeLongs(t, idx, n, src); break;
            case 2: for (int i = 0; i < n; i++) NativeMemory.putShort(base + idx[i] * 2, (short) src[i]); break;
            case 4: for (int i = 0; i < n; i++) NativeMemory.putInt(base + idx[i] * 4, (int) src[i]); break;
            default: for (int i = 0; i < n; i++) NativeMemory.putLong(base + idx[i] * 8, src[i]);
        }
    }

    // ------------------------------------------------------------------ scalar conversions

    /** Wraps v to the width of an integer dtype (two's complement), or to 0/1 for bool. */
    public static long wrap(DType dtype, long v) {
        switch (dtype) {
            case BOOL: return v != 0 ? 1 : 0;
            case UINT8: return v & 0xFF;
            case INT8: return (byte) v;
            case INT16: return (short) v;
            case INT32: return (int) v;
            default: return v;
        }
    }

    /**
     * Float to integer, before wrapping to the target width: truncation toward zero; NaN gives 0;
     * +-Inf and values beyond int64 saturate to int64's max/min (Java's (long) cast). NumPy leaves
     * these cases to the C compiler (on x86 they give the minimum integer); pyj4 pins them down so
     * that every backend agrees.
     */
    public static long floatToLong(double d) { return (long) d; }

    /**
     * v as a double rounded to odd when it is not exact (|v| > 2^53): the last bit records whether
     * bits were dropped, so a second rounding to any format of at most 51 significant bits (float32,
     * float16, bfloat16) gives the same result as rounding v directly.
     */
    public static double longToDoubleRoundToOdd(long v) {
        if (v > -(1L << 53) && v < (1L << 53)) return v;
        long mag = v < 0 ? -v : v;                 // Long.MIN_VALUE stays 2^63 read unsigned
        int shift = 64 - Long.numberOfLeadingZeros(mag) - 53;
        long kept = mag >>> shift;
        if ((mag & ((1L << shift) - 1)) != 0) kept |= 1;  // sticky bit
        double d = Math.scalb((double) kept, shift);
        return v < 0 ? -d : d;
    }

    public static double halfToDouble(short bits) { return widen(bits & 0xFFFF, 10, 5); }
    public static short doubleToHalf(double d) { return (short) narrow(d, 10, 5); }

    /** bfloat16 is the upper half of a float32. */
    public static double bfloat16ToDouble(short bits) { return Float.intBitsToFloat((bits & 0xFFFF) << 16); }
    public static short doubleToBfloat16(double d) { return (short) narrow(d, 7, 8); }

    /**
     * Rounds d to nearest-even in an IEEE binary format with {@code mant} stored significand bits and
     * {@code expBits} exponent bits (float16: 10, 5; bfloat16: 7, 8; float32: 23, 8) and returns its
     * bit pattern. Rounds once, directly from the double. Overflow gives Inf; values below the smallest
     * subnormal round to (signed) zero; NaN stays NaN, quiet, keeping its sign and top payload bits.
     */
    public static int narrow(double d, int mant, int expBits) {
        int bias = (1 << (expBits - 1)) - 1;
        int infBits = ((1 << expBits) - 1) << mant;
        long dBits = Double.doubleToRawLongBits(d);
        int sign = dBits < 0 ? 1 << (mant + expBits) : 0;
        if (Double.isNaN(d)) {
            int payload = (int) ((dBits & 0xF_FFFF_FFFF_FFFFL) >>> (52 - mant));
            return sign | infBits | payload | (1 << (mant - 1));
        }
        double a = Math.abs(d);
        int minExp = 1 - bias;  // exponent of the smallest normal number
        if (a < Math.scalb(1.0, minExp)) {
            // Zero or subnormal: a multiple of 2^(minExp - mant). The scaling is exact; rint rounds
            // half to even; a result of 2^mant is the smallest normal, which the same bits encode.
            return sign | (int) Math.rint(Math.scalb(a, mant - minExp));
        }
        int e = Math.getExponent(a);
        if (e > bias) return sign | infBits;  // includes Inf
        long m = (long) Math.rint(Math.scalb(a, mant - e));   // in [2^mant, 2^(mant+1)]
        long bits = ((long) (e + bias) << mant) + (m - (1L << mant));  // m = 2^(mant+1) carries into the exponent
        return bits >= infBits ? sign | infBits : sign | (int) bits;
    }

    /** The exact double value of the bit pattern {@code bits} of the format described in {@link #narrow}. */
    public static double widen(int bits, int mant, int expBits) {
        int bias = (1 << (expBits - 1)) - 1;
        int expAll = (1 << expBits) - 1;
        boolean negative = ((bits >>> (mant + expBits)) & 1) != 0;
        int e = (bits >>> mant) & expAll;
        long m = bits & ((1L << mant) - 1);
        double v;
        if (e == expAll) {
            if (m == 0) v = Double.POSITIVE_INFINITY;
            else return Double.longBitsToDouble((negative ? 1L << 63 : 0) | 0x7FF0_0000_0000_0000L
                    | (m << (52 - mant)) | (1L << 51));  // NaN, payload kept
        } else if (e == 0) {
            v = Math.scalb((double) m, 1 - bias - mant);
        } else {
            v = Math.scalb((double) ((1L << mant) | m), e - bias - mant);
        }
        return negative ? -v : v;
    }
}
