package org.pyj4.testing;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.pyj4.backend.reference.Elements;
import org.pyj4.ndarray.DType;

/**
 * Element values as raw bit patterns (a long per element, sign-extended; uint8 and bool
 * zero-extended): generated from a seed, encoded to and decoded from host bytes, and read as numbers.
 */
public final class Values {
    private Values() {}

    /** What kind of inputs an op needs. */
    public enum Domain {
        /** Floats in [-8, 8], small integers, ties (0.5, 2.5) and special values: NaN, +-Inf, +-0, tiny, huge. */
        GENERAL,
        /** Floats in [-4, 4] without special values: sums and products whose result is a number. */
        FINITE,
        /** Magnitudes in [0.5, 1.5], either sign: long products that neither overflow nor vanish. */
        NEAR_ONE,
        /** Exponents: small integers (-2..8 for integers), halves, and for floats NaN, +-Inf, +-0. */
        EXPONENT
    }

    private static final double[] SPECIALS = {
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1e-30, -1e-30, 1e30, -1e30,
        1e-6, 65504, 70000, 0.5, -0.5, 1.5, 2.5, -2.5, 1.0, -1.0, 3e38, 1e-40,
    };

    /** A random value of dtype t from the domain, as raw bits. */
    public static long random(DType t, Domain domain, SplittableRandom rnd) {
        if (t.isBool()) {
            // Mostly 0/1; sometimes another nonzero byte, which every backend must read as true.
            int r = rnd.nextInt(10);
            return r < 4 ? 0 : r < 8 ? 1 : r == 8 ? 2 : 0xFF;
        }
        if (t.isInteger()) {
            long v;
            switch (domain) {
                case NEAR_ONE: v = rnd.nextInt(-3, 4); break;
                case EXPONENT: v = rnd.nextInt(-2, 9); break;
                default: v = rnd.nextInt(10) < 4 ? rnd.nextLong() : rnd.nextInt(-10, 11);
            }
            return Elements.wrap(t, v);
        }
        return fromDouble(t, randomDouble(domain, rnd));
    }

    private static double randomDouble(Domain domain, SplittableRandom rnd) {
        switch (domain) {
            case FINITE: return rnd.nextInt(5) == 0 ? rnd.nextInt(-4, 5) : rnd.nextDouble(-4, 4);
            case NEAR_ONE: return (rnd.nextBoolean() ? 1 : -1) * rnd.nextDouble(0.5, 1.5);
            case EXPONENT: {
                int r = rnd.nextInt(10);
                if (r < 5) return rnd.nextInt(-3, 5);
                if (r < 8) return rnd.nextInt(-6, 7) * 0.5;
                double[] s = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0};
                return s[rnd.nextInt(s.length)];
            }
            default: {
                int r = rnd.nextInt(100);
                if (r < 10) return SPECIALS[rnd.nextInt(SPECIALS.length)];
                if (r < 25) return rnd.nextInt(-10, 11);
                return rnd.nextDouble(-8, 8);
            }
        }
    }

    /** The bits of d rounded to float dtype t (or cast to an integer dtype like the reference copy). */
    public static long fromDouble(DType t, double d) {
        switch (t) {
            case FLOAT64: return Double.doubleToRawLongBits(d);
            case FLOAT32: return Float.floatToRawIntBits((float) d);
            case FLOAT16: return Elements.doubleToHalf(d);
            case BFLOAT16: return Elements.doubleToBfloat16(d);
            default: return Elements.wrap(t, Elements.floatToLong(d));
        }
    }

    /** The numeric value of raw bits of dtype t (bools: 0 or 1). */
    public static double toDouble(DType t, long bits) {
        switch (t) {
            case FLOAT64: return Double.longBitsToDouble(bits);
            case FLOAT32: return Float.intBitsToFloat((int) bits);
            case FLOAT16: return Elements.halfToDouble((short) bits);
            case BFLOAT16: return Elements.bfloat16ToDouble((short) bits);
            case BOOL: return bits != 0 ? 1 : 0;
            default: return Elements.wrap(t, bits);
        }
    }

    /** Whether two raw values are identical, any NaN matching any NaN. */
    public static boolean sameBits(DType t, long a, long b) {
        if (t.isFloat() && Double.isNaN(toDouble(t, a)) && Double.isNaN(toDouble(t, b))) return true;
        return normalize(t, a) == normalize(t, b);
    }

    /** Bits reduced to the item size (sign-extended; uint8 zero-extended), as they come back from memory. */
    public static long normalize(DType t, long bits) {
        switch (t.itemSize()) {
            case 1: return t == DType.INT8 ? (byte) bits : bits & 0xFF;
            case 2: return (short) bits;
            case 4: return (int) bits;
            default: return bits;
        }
    }

    /** Writes value bits at the buffer's position (native byte order expected) and advances it. */
    public static void put(ByteBuffer b, DType t, long bits) {
        switch (t.itemSize()) {
            case 1: b.put((byte) bits); break;
            case 2: b.putShort((short) bits); break;
            case 4: b.putInt((int) bits); break;
            default: b.putLong(bits);
        }
    }

    public static long get(ByteBuffer b, DType t) {
        switch (t.itemSize()) {
            case 1: return normalize(t, b.get());
            case 2: return b.getShort();
            case 4: return b.getInt();
            default: return b.getLong();
        }
    }

    /** How a value prints in a failure message: its number and, for floats, its bits. */
    public static String show(DType t, long bits) {
        double v = toDouble(t, bits);
        if (!t.isFloat()) return t.isBool() ? String.valueOf(bits != 0) + (bits > 1 ? " (byte " + bits + ")" : "") : String.valueOf((long) v);
        return v + " (0x" + Long.toHexString(normalize(t, bits) & (t.itemSize() == 8 ? -1L : (1L << (8 * t.itemSize())) - 1)) + ")";
    }
}
