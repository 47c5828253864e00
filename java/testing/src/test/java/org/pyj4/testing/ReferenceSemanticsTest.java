package org.pyj4.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pyj4.backend.Backend;
import org.pyj4.backend.Backends;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.RandomKind;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.UnaryOp;
import org.pyj4.backend.reference.JavaBackend;
import org.pyj4.memory.HostBuffer;
import org.pyj4.memory.MemoryStats;
import org.pyj4.memory.NativeMemory;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.DTypeException;

/**
 * Known answers for the reference backend: these pin the semantics that every other backend is
 * compared against (mostly NumPy's; deliberate differences are called out).
 */
class ReferenceSemanticsTest {
    private final Ref ref = new Ref();
    private final JavaBackend be = ref.backend;
    private static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    @AfterEach void free() { ref.close(); }

    private double[] binary(BinaryOp op, DType t, double[] a, double[] b) {
        Tensor x = ref.of(t, a), y = ref.of(t, b);
        Tensor out = ref.zeros(op.isComparison() ? DType.BOOL : t, a.length);
        be.binary(op, x, y, out);
        return ref.values(out);
    }

    private long[] binary(BinaryOp op, DType t, long[] a, long[] b) {
        Tensor x = ref.ints(t, a), y = ref.ints(t, b);
        Tensor out = ref.zeros(op.isComparison() ? DType.BOOL : t, a.length);
        be.binary(op, x, y, out);
        return ref.longs(out);
    }

    private double[] unary(UnaryOp op, DType t, double... x) {
        Tensor in = ref.of(t, x);
        Tensor out = ref.zeros(op.domain() == UnaryOp.Domain.BOOL_RESULT ? DType.BOOL : t, x.length);
        be.unary(op, in, out);
        return ref.values(out);
    }

    private long[] unary(UnaryOp op, DType t, long... x) {
        Tensor in = ref.ints(t, x);
        Tensor out = ref.zeros(op.domain() == UnaryOp.Domain.BOOL_RESULT ? DType.BOOL : t, x.length);
        be.unary(op, in, out);
        return ref.longs(out);
    }

    /** assertArrayEquals on doubles compares bits, except that every NaN equals every NaN: -0.0 != 0.0. */
    private static void assertBits(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }

    private static long[] l(long... v) { return v; }

    private static double[] d(double... v) { return v; }

    // ------------------------------------------------------------------ integer arithmetic

    @Test void integerFloorDivAndModFollowPython() {
        long[] a = {-7, 7, -7, 7, 5, -5, 0, 9};
        long[] b = {2, -2, -2, 2, 0, 0, 3, 3};
        assertArrayEquals(l(-4, -4, 3, 3, 0, 0, 0, 3), binary(BinaryOp.FLOORDIV, DType.INT64, a, b));
        assertArrayEquals(l(1, -1, -1, 1, 0, 0, 0, 0), binary(BinaryOp.MOD, DType.INT64, a, b));
        assertArrayEquals(l(-4, -4, 3, 3, 0, 0, 0, 3), binary(BinaryOp.FLOORDIV, DType.INT8, a, b));
        assertArrayEquals(l(1, -1, -1, 1, 0, 0, 0, 0), binary(BinaryOp.MOD, DType.INT32, a, b));
    }

    @Test void integerDivisionOverflowWraps() {
        assertArrayEquals(l(Long.MIN_VALUE), binary(BinaryOp.FLOORDIV, DType.INT64, l(Long.MIN_VALUE), l(-1)));
        assertArrayEquals(l(0), binary(BinaryOp.MOD, DType.INT64, l(Long.MIN_VALUE), l(-1)));
        assertArrayEquals(l(-128), binary(BinaryOp.FLOORDIV, DType.INT8, l(-128), l(-1)));
    }

    @Test void integersWrapToTheirWidth() {
        assertArrayEquals(l(-128), binary(BinaryOp.ADD, DType.INT8, l(127), l(1)));
        assertArrayEquals(l(44), binary(BinaryOp.ADD, DType.UINT8, l(200), l(100)));
        assertArrayEquals(l(254), binary(BinaryOp.SUB, DType.UINT8, l(3), l(5)));
        assertArrayEquals(l((short) (32767 * 2)), binary(BinaryOp.MUL, DType.INT16, l(32767), l(2)));
        assertArrayEquals(l(Integer.MIN_VALUE), binary(BinaryOp.ADD, DType.INT32, l(Integer.MAX_VALUE), l(1)));
        assertArrayEquals(l(Long.MIN_VALUE), binary(BinaryOp.ADD, DType.INT64, l(Long.MAX_VALUE), l(1)));
        assertArrayEquals(l(-128), unary(UnaryOp.ABS, DType.INT8, -128));
        assertArrayEquals(l(-128), unary(UnaryOp.NEG, DType.INT8, -128));
        assertArrayEquals(l(251), unary(UnaryOp.NEG, DType.UINT8, 5));
        assertArrayEquals(l(0, 1, 1), unary(UnaryOp.SIGN, DType.UINT8, 0, 7, 255));
        assertArrayEquals(l(-1, 0, 1), unary(UnaryOp.SIGN, DType.INT16, -9, 0, 9));
        assertArrayEquals(l(0, 0, 9), unary(UnaryOp.RELU, DType.INT32, -9, 0, 9));
        assertArrayEquals(l(16), unary(UnaryOp.SQUARE, DType.UINT8, 4));
        assertArrayEquals(l(0), unary(UnaryOp.SQUARE, DType.UINT8, 16));  // 256 wraps
    }

    @Test void unsignedComparisons() {
        assertArrayEquals(l(1, 0), binary(BinaryOp.GT, DType.UINT8, l(200, 100), l(100, 200)));
        assertArrayEquals(l(200), binary(BinaryOp.MAXIMUM, DType.UINT8, l(200), l(100)));
    }

    @Test void integerPowerByRepeatedSquaring() {
        assertArrayEquals(l(81, 1, 0, 1, -1, 1, 0), binary(BinaryOp.POW, DType.INT64, l(3, 5, 0, 1, -1, -1, 2), l(4, 0, 3, -5, -3, -2, -1)));
        assertArrayEquals(l(-128, 0), binary(BinaryOp.POW, DType.INT8, l(2, 2), l(7, 8)));
        assertArrayEquals(l(1L << 62, 0), binary(BinaryOp.POW, DType.INT64, l(2, 2), l(62, 64)));
        assertArrayEquals(l(0), binary(BinaryOp.POW, DType.INT64, l(3), l(-1)));
    }

    @Test void bitwiseOpsOnIntegersLogicalOnBools() {
        assertArrayEquals(l(0b1000, 0b1110, 0b0110), new long[] {
            binary(BinaryOp.AND, DType.INT32, l(0b1100), l(0b1010))[0],
            binary(BinaryOp.OR, DType.INT32, l(0b1100), l(0b1010))[0],
            binary(BinaryOp.XOR, DType.INT32, l(0b1100), l(0b1010))[0]});
        assertArrayEquals(l(-6), unary(UnaryOp.INVERT, DType.INT8, 5));
        assertArrayEquals(l(250), unary(UnaryOp.INVERT, DType.UINT8, 5));
        assertArrayEquals(l(1, 0), unary(UnaryOp.INVERT, DType.BOOL, 0, 1));
        // Any nonzero byte reads as true.
        Tensor b = ref.bits(DType.BOOL, new long[] {4}, 0, 1, 2, 0xFF);
        Tensor out = ref.zeros(DType.BOOL, 4);
        be.unary(UnaryOp.INVERT, b, out);
        assertArrayEquals(l(1, 0, 0, 0), ref.bitsOf(out));
        be.binary(BinaryOp.AND, b, b, out);
        assertArrayEquals(l(0, 1, 1, 1), ref.bitsOf(out));
    }

    @Test void boolArithmeticIsLogical() {
        long[] a = {0, 0, 1, 1}, b = {0, 1, 0, 1};
        assertArrayEquals(l(0, 1, 1, 1), binary(BinaryOp.ADD, DType.BOOL, a, b));       // or
        assertArrayEquals(l(0, 0, 0, 1), binary(BinaryOp.MUL, DType.BOOL, a, b));       // and
        assertArrayEquals(l(0, 1, 1, 1), binary(BinaryOp.MAXIMUM, DType.BOOL, a, b));
        assertArrayEquals(l(0, 1), unary(UnaryOp.NEG, DType.BOOL, 0, 1));               // identity under != 0
    }

    // ------------------------------------------------------------------ float arithmetic

    @Test void floatFloorDivAndModFollowNumPy() {
        double[] a = {-7.5, 7.5, -7.5, 7.0, -7.0, 0.0, 6.0, -6.0, 6.0, 0.3, 1.0, -1e-300, 0.0, -0.0, INF, 5.0};
        double[] b = {2.0, -2.0, 2.0, 0.0, 0.0, 0.0, 3.0, 3.0, -3.0, 0.1, -INF, 1.0, 5.0, 5.0, 2.0, INF};
        assertBits(d(0.5, -0.5, 0.5, NAN, NAN, NAN, 0.0, 0.0, -0.0, 0.09999999999999998, -INF, 1.0, 0.0, 0.0, NAN, 5.0),
                binary(BinaryOp.MOD, DType.FLOAT64, a, b));
        assertBits(d(-4.0, -4.0, -4.0, INF, -INF, NAN, 2.0, -2.0, -2.0, 2.0, -1.0, -1.0, 0.0, -0.0, NAN, 0.0),
                binary(BinaryOp.FLOORDIV, DType.FLOAT64, a, b));
        assertBits(d(0.5, -0.5), binary(BinaryOp.MOD, DType.FLOAT32, d(-7.5, 7.5), d(2.0, -2.0)));
    }

    @Test void floatPowFollowsC99() {
        assertBits(d(1.0, 1.0, 1.0, NAN, 8.0, 0.5, INF),
                binary(BinaryOp.POW, DType.FLOAT64, d(1.0, -1.0, NAN, -8.0, 2.0, 4.0, 0.0), d(NAN, INF, 0.0, 1.0 / 3, 3.0, -0.5, -1.0)));
    }

    @Test void maximumMinimumPropagateNaN() {
        assertBits(d(NAN, NAN, 2.0, 0.0, 0.0), binary(BinaryOp.MAXIMUM, DType.FLOAT64, d(NAN, 1.0, 2.0, -0.0, 0.0), d(1.0, NAN, 1.0, 0.0, -0.0)));
        assertBits(d(NAN, NAN, 1.0, -0.0, -0.0), binary(BinaryOp.MINIMUM, DType.FLOAT64, d(NAN, 1.0, 2.0, -0.0, 0.0), d(1.0, NAN, 1.0, 0.0, -0.0)));
    }

    @Test void comparisonsWithNaNAreFalseExceptNotEqual() {
        double[] a = {NAN, NAN, 1.0, -0.0}, b = {NAN, 1.0, NAN, 0.0};
        assertBits(d(0, 0, 0, 1), binary(BinaryOp.EQ, DType.FLOAT32, a, b));
        assertBits(d(1, 1, 1, 0), binary(BinaryOp.NE, DType.FLOAT32, a, b));
        assertBits(d(0, 0, 0, 0), binary(BinaryOp.LT, DType.FLOAT32, a, b));
        assertBits(d(0, 0, 0, 1), binary(BinaryOp.GE, DType.FLOAT32, a, b));
    }

    @Test void roundingUnaryOps() {
        double[] x = {0.5, 1.5, 2.5, -0.5, -2.5, 2.7, -2.7};
        assertBits(d(0.0, 2.0, 2.0, -0.0, -2.0, 3.0, -3.0), unary(UnaryOp.ROUND, DType.FLOAT64, x));
        assertBits(d(0.0, 1.0, 2.0, -1.0, -3.0, 2.0, -3.0), unary(UnaryOp.FLOOR, DType.FLOAT64, x));
        assertBits(d(1.0, 2.0, 3.0, -0.0, -2.0, 3.0, -2.0), unary(UnaryOp.CEIL, DType.FLOAT64, x));
        assertArrayEquals(l(7), unary(UnaryOp.ROUND, DType.INT32, 7));
    }

    @Test void signReluAndPredicates() {
        double[] x = {-3.0, -0.0, 0.0, 2.0, NAN, -INF};
        assertBits(d(-1.0, 0.0, 0.0, 1.0, NAN, -1.0), unary(UnaryOp.SIGN, DType.FLOAT64, x));
        assertBits(d(0.0, 0.0, 0.0, 2.0, NAN, 0.0), unary(UnaryOp.RELU, DType.FLOAT64, x));
        assertBits(d(0, 0, 0, 0, 1, 0), unary(UnaryOp.ISNAN, DType.FLOAT16, x));
        assertBits(d(0, 0, 0, 0, 0, 1), unary(UnaryOp.ISINF, DType.BFLOAT16, x));
        assertBits(d(1, 1, 1, 1, 0, 0), unary(UnaryOp.ISFINITE, DType.FLOAT32, x));
        assertArrayEquals(l(0, 0), unary(UnaryOp.ISNAN, DType.INT32, 1, 2));
        assertArrayEquals(l(1, 1), unary(UnaryOp.ISFINITE, DType.UINT8, 1, 2));
    }

    @Test void sigmoidIsStable() {
        assertBits(d(0.0, 0.5, 1.0, 1.0 / (1.0 + StrictMath.exp(-1.0))), unary(UnaryOp.SIGMOID, DType.FLOAT64, -800.0, 0.0, 800.0, 1.0));
        assertBits(d(StrictMath.exp(-700) / (1 + StrictMath.exp(-700))), unary(UnaryOp.SIGMOID, DType.FLOAT64, -700.0));
    }

    @Test void erfKnownValues() {
        double[] x = {0.0, -0.0, 0.1, 0.5, 1.0, 2.0, 3.0, -1.0, 6.0, INF, -INF, NAN, 1e-10};
        double[] want = {0.0, -0.0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527,
            0.9999779095030014, -0.8427007929497149, 1.0, 1.0, -1.0, NAN, 1.1283791670955126e-10};
        double[] got = unary(UnaryOp.ERF, DType.FLOAT64, x);
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(want[i]) || want[i] == 0) assertBits(d(want[i]), d(got[i]));
            else assertEquals(want[i], got[i], Math.abs(want[i]) * 1e-15, "erf(" + x[i] + ")");
        }
    }

    // ------------------------------------------------------------------ conversions

    @Test void float16RoundTrip() {
        double[] x = {65504, 65519, 65520, 1e6, 6e-8, 5.960464477539063e-8, 2.9802322387695312e-8, 8.940696716308594e-8,
            1.0 / 3, -0.0, 1.0, 1.0 + 0x1p-11, 1.0 + 0x1p-11 + 0x1p-40, 6.103515625e-05, NAN, -INF};
        long[] bits = new long[x.length];
        Tensor src = ref.of(DType.FLOAT64, x);
        Tensor half = ref.zeros(DType.FLOAT16, x.length);
        be.copy(src, half);
        long[] got = ref.bitsOf(half);
        long[] want = {0x7BFF, 0x7BFF, 0x7C00, 0x7C00, 0x0001, 0x0001, 0x0000, 0x0002, 0x3555, 0x8000, 0x3C00, 0x3C00, 0x3C01, 0x0400,
            0x7E00, 0xFC00};
        for (int i = 0; i < x.length; i++) bits[i] = got[i] & 0xFFFF;
        assertArrayEquals(want, bits);
        Tensor back = ref.zeros(DType.FLOAT64, x.length);
        be.copy(half, back);
        double[] v = ref.values(back);
        assertEquals(65504.0, v[0]);
        assertEquals(0x1p-24, v[4]);
        assertEquals(0.333251953125, v[8]);
    }

    @Test void bfloat16Rounding() {
        double[] x = {1.0, 1.0 / 3, 1 + 0x1p-8, 1 + 3 * 0x1p-8, 3.3895313892515355e38, 3.3962e38, Float.MAX_VALUE, NAN, -2.5, 1e-45};
        Tensor bf = ref.zeros(DType.BFLOAT16, x.length);
        be.copy(ref.of(DType.FLOAT64, x), bf);
        long[] got = ref.bitsOf(bf);
        long[] want = {0x3F80, 0x3EAB, 0x3F80, 0x3F82, 0x7F7F, 0x7F80, 0x7F80, 0x7FC0, 0xC020, 0x0000};
        for (int i = 0; i < got.length; i++) got[i] &= 0xFFFF;
        assertArrayEquals(want, got);
    }

    @Test void floatToIntegerTruncatesTowardZero() {
        double[] x = {2.9, -2.9, 300.7, -1.5, NAN, INF, -INF, 1e20, -0.0};
        Tensor src = ref.of(DType.FLOAT64, x);
        Tensor i32 = ref.zeros(DType.INT32, x.length), u8 = ref.zeros(DType.UINT8, x.length), i64 = ref.zeros(DType.INT64, x.length);
        be.copy(src, i32);
        be.copy(src, u8);
        be.copy(src, i64);
        // NaN -> 0; +-Inf and out-of-range saturate to int64's limits, then wrap (documented choice).
        assertArrayEquals(l(2, -2, 300, -1, 0, -1, 0, -1, 0), ref.longs(i32));
        assertArrayEquals(l(2, 254, 44, 255, 0, 255, 0, 255, 0), ref.longs(u8));
        assertArrayEquals(l(2, -2, 300, -1, 0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, 0), ref.longs(i64));
    }

    @Test void boolConversions() {
        Tensor f = ref.of(DType.FLOAT32, 0.5, NAN, -0.0, 0.0, -3);
        Tensor b = ref.zeros(DType.BOOL, 5);
        be.copy(f, b);
        assertArrayEquals(l(1, 1, 0, 0, 1), ref.bitsOf(b));
        Tensor back = ref.zeros(DType.FLOAT32, 5);
        be.copy(b, back);
        assertBits(d(1, 1, 0, 0, 1), ref.values(back));
        Tensor raw = ref.bits(DType.BOOL, new long[] {3}, 0, 2, 0xFF);
        Tensor asInt = ref.zeros(DType.INT32, 3);
        be.copy(raw, asInt);
        assertArrayEquals(l(0, 1, 1), ref.longs(asInt));
    }

    @Test void integerToFloatRoundsOnce() {
        // 2^60 + 2^52 + 1 lies just above a tie for bfloat16; through a plain double it would be a tie, rounded to even.
        long v = (1L << 60) + (1L << 52) + 1;
        Tensor bf = ref.zeros(DType.BFLOAT16, 1);
        be.copy(ref.ints(DType.INT64, v), bf);
        assertEquals(0x5D81, ref.bitsOf(bf)[0] & 0xFFFF);
        Tensor h = ref.zeros(DType.FLOAT16, 2);
        be.copy(ref.ints(DType.INT32, 65519, 65520), h);
        assertBits(d(65504, INF), ref.values(h));
        Tensor f = ref.zeros(DType.FLOAT32, 1);
        be.copy(ref.ints(DType.INT64, (1L << 24) + 1), f);
        assertBits(d(1 << 24), ref.values(f));
    }

    @Test void sameDtypeCopyKeepsEveryBit() {
        long payloadNaN = 0x7FF0_0000_0000_1234L;
        Tensor src = ref.bits(DType.FLOAT64, new long[] {2}, payloadNaN, Double.doubleToRawLongBits(-0.0));
        Tensor dst = ref.zeros(DType.FLOAT64, 2);
        be.copy(src, dst);
        assertArrayEquals(l(payloadNaN, Double.doubleToRawLongBits(-0.0)), ref.bitsOf(dst));
    }

    // ------------------------------------------------------------------ reductions

    @Test void sumOfInt8IntoInt64AndInt8() {
        Tensor x = ref.ints(DType.INT8, 100, 100, 100);
        Tensor wide = ref.zeros(DType.INT64, 1), narrow = ref.zeros(DType.INT8, 1), f = ref.zeros(DType.FLOAT64, 1);
        be.reduce(ReduceOp.SUM, x, new int[] {0}, wide);
        be.reduce(ReduceOp.SUM, x, new int[] {0}, narrow);
        be.reduce(ReduceOp.SUM, x, new int[] {0}, f);
        assertArrayEquals(l(300), ref.longs(wide));
        assertArrayEquals(l(44), ref.longs(narrow));
        assertBits(d(300), ref.values(f));
    }

    @Test void reduceOverSeveralAxes() {
        Tensor x = ref.of(DType.FLOAT32, new long[] {2, 3, 2}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        Tensor out = ref.zeros(DType.FLOAT32, 1, 3, 1);
        be.reduce(ReduceOp.SUM, x, new int[] {0, 2}, out);
        assertBits(d(1 + 2 + 7 + 8, 3 + 4 + 9 + 10, 5 + 6 + 11 + 12), ref.values(out));
        Tensor prod = ref.zeros(DType.FLOAT32, 1, 1, 1);
        be.reduce(ReduceOp.PROD, ref.of(DType.FLOAT32, new long[] {1, 2, 2}, 1, 2, 3, 4), new int[] {0, 1, 2}, prod);
        assertBits(d(24), ref.values(prod));
    }

    @Test void argmaxTakesTheFirstNaNOrFirstExtreme() {
        Tensor x = ref.of(DType.FLOAT32, 1, NAN, 3, NAN);
        Tensor out = ref.zeros(DType.INT64, 1);
        be.reduce(ReduceOp.ARGMAX, x, new int[] {0}, out);
        assertArrayEquals(l(1), ref.longs(out));
        be.reduce(ReduceOp.ARGMIN, x, new int[] {0}, out);
        assertArrayEquals(l(1), ref.longs(out));
        be.reduce(ReduceOp.ARGMAX, ref.of(DType.FLOAT64, 3, 5, 5, -1), new int[] {0}, out);
        assertArrayEquals(l(1), ref.longs(out));
        be.reduce(ReduceOp.ARGMIN, ref.ints(DType.UINT8, 7, 200, 3, 3), new int[] {0}, out);
        assertArrayEquals(l(2), ref.longs(out));
        Tensor cols = ref.zeros(DType.INT64, 1, 3);
        be.reduce(ReduceOp.ARGMAX, ref.of(DType.FLOAT32, new long[] {2, 3}, 1, 9, 3, 4, 2, 3), new int[] {0}, cols);
        assertArrayEquals(l(1, 0, 0), ref.longs(cols));
    }

    @Test void maxPropagatesNaN() {
        Tensor out = ref.zeros(DType.FLOAT32, 1);
        be.reduce(ReduceOp.MAX, ref.of(DType.FLOAT32, 1, NAN, 3), new int[] {0}, out);
        assertTrue(Double.isNaN(ref.values(out)[0]));
        be.reduce(ReduceOp.MIN, ref.of(DType.FLOAT32, 1, -INF, 3), new int[] {0}, out);
        assertBits(d(-INF), ref.values(out));
    }

    @Test void anyAllTreatNaNAsTrue() {
        Tensor out = ref.zeros(DType.BOOL, 1);
        be.reduce(ReduceOp.ALL, ref.of(DType.FLOAT32, 1, NAN, -2), new int[] {0}, out);
        assertArrayEquals(l(1), ref.bitsOf(out));
        be.reduce(ReduceOp.ANY, ref.of(DType.FLOAT32, 0, -0.0), new int[] {0}, out);
        assertArrayEquals(l(0), ref.bitsOf(out));
    }

    @Test void emptyReductions() {
        Tensor x = ref.zeros(DType.FLOAT32, 0, 2);
        Tensor out = ref.zeros(DType.FLOAT32, 1, 2);
        be.reduce(ReduceOp.SUM, x, new int[] {0}, out);
        assertBits(d(0, 0), ref.values(out));
        be.reduce(ReduceOp.PROD, x, new int[] {0}, out);
        assertBits(d(1, 1), ref.values(out));
        Tensor flags = ref.zeros(DType.BOOL, 1, 2);
        be.reduce(ReduceOp.ANY, x, new int[] {0}, flags);
        assertArrayEquals(l(0, 0), ref.bitsOf(flags));
        be.reduce(ReduceOp.ALL, x, new int[] {0}, flags);
        assertArrayEquals(l(1, 1), ref.bitsOf(flags));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.reduce(ReduceOp.MAX, x, new int[] {0}, out));
        assertTrue(e.getMessage().contains("zero-size array to reduction operation maximum which has no identity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> be.reduce(ReduceOp.ARGMIN, x, new int[] {0}, ref.zeros(DType.INT64, 1, 2)));
        // An empty output needs no identity: fine even for MAX (as in NumPy).
        be.reduce(ReduceOp.MAX, x, new int[] {1}, ref.zeros(DType.FLOAT32, 0, 1));
    }

    // ------------------------------------------------------------------ matmul

    @Test void matmulKnownAnswers() {
        Tensor a = ref.of(DType.FLOAT32, new long[] {2, 2}, 1, 2, 3, 4);
        Tensor b = ref.of(DType.FLOAT32, new long[] {2, 2}, 5, 6, 7, 8);
        Tensor out = ref.zeros(DType.FLOAT32, 2, 2);
        be.matmul(a, b, out);
        assertBits(d(19, 22, 43, 50), ref.values(out));

        // b transposed as a view, batch of two with a broadcast (stride 0) along the batch.
        Tensor bt = new Tensor(b.buffer(), DType.FLOAT32, new long[] {2, 2, 2}, new long[] {0, 1, 2}, 0);
        Tensor a3 = ref.of(DType.FLOAT32, new long[] {2, 2, 2}, 1, 0, 0, 1, 2, 0, 0, 2);
        Tensor out3 = ref.zeros(DType.FLOAT32, 2, 2, 2);
        be.matmul(a3, bt, out3);
        assertBits(d(5, 7, 6, 8, 10, 14, 12, 16), ref.values(out3));

        Tensor i8 = ref.ints(DType.INT8, new long[] {1, 2}, 100, 100);
        Tensor i8b = ref.ints(DType.INT8, new long[] {2, 1}, 2, 1);
        Tensor i8o = ref.zeros(DType.INT8, 1, 1);
        be.matmul(i8, i8b, i8o);
        assertArrayEquals(l((byte) 300), ref.longs(i8o));

        Tensor ba = ref.ints(DType.BOOL, new long[] {2, 2}, 1, 0, 0, 0);
        Tensor bb = ref.ints(DType.BOOL, new long[] {2, 2}, 0, 1, 1, 1);
        Tensor bo = ref.zeros(DType.BOOL, 2, 2);
        be.matmul(ba, bb, bo);
        assertArrayEquals(l(0, 1, 0, 0), ref.bitsOf(bo));

        Tensor empty = ref.zeros(DType.FLOAT64, 2, 3);
        be.matmul(ref.zeros(DType.FLOAT64, 2, 0), ref.zeros(DType.FLOAT64, 0, 3), empty);
        assertBits(d(0, 0, 0, 0, 0, 0), ref.values(empty));
    }

    // ------------------------------------------------------------------ where, gather, scatter, random

    @Test void whereReadsAnyNonzeroByteAsTrue() {
        Tensor cond = ref.bits(DType.BOOL, new long[] {3}, 0, 2, 0xFF);
        Tensor out = ref.zeros(DType.INT16, 3);
        be.where(cond, ref.ints(DType.INT16, 1, 2, 3), ref.ints(DType.INT16, -1, -2, -3), out);
        assertArrayEquals(l(-1, 2, 3), ref.longs(out));
    }

    @Test void gatherCountsRowMajorElementsOfAView() {
        Tensor x = ref.of(DType.FLOAT64, new long[] {2, 3}, 0, 1, 2, 3, 4, 5);
        Tensor xt = new Tensor(x.buffer(), DType.FLOAT64, new long[] {3, 2}, new long[] {1, 3}, 0);  // x.T
        Tensor out = ref.zeros(DType.FLOAT64, 4);
        be.gather(xt, ref.ints(DType.INT64, 0, 1, 2, 5), out);
        assertBits(d(0, 3, 1, 5), ref.values(out));
    }

    @Test void scatterValidatesEveryIndexBeforeWriting() {
        Tensor dst = ref.of(DType.FLOAT32, 1, 2, 3);
        Tensor values = ref.of(DType.FLOAT32, 7, 8, 9);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> be.scatter(dst, ref.ints(DType.INT64, 0, 1, 3), values));
        assertTrue(e.getMessage().contains("scatter") && e.getMessage().contains("index 3") && e.getMessage().contains("3 elements"), e.getMessage());
        assertBits(d(1, 2, 3), ref.values(dst));
        assertThrows(IndexOutOfBoundsException.class, () -> be.gather(dst, ref.ints(DType.INT64, -1), ref.zeros(DType.FLOAT32, 1)));
        be.scatter(dst, ref.ints(DType.INT64, 2, 0, 2), values);
        assertBits(d(8, 2, 9), ref.values(dst));  // duplicates: the last one wins in the reference
    }

    @Test void randomFollowsTheCounterFormula() {
        Tensor u = ref.zeros(DType.FLOAT64, 3);
        be.random(RandomKind.UNIFORM, 42, 0, -2, 3, u);
        assertBits(d(1.7078243938591164, -1.2004480356153995, -0.6069943487243066), ref.values(u));
        Tensor n = ref.zeros(DType.FLOAT64, 3);
        be.random(RandomKind.NORMAL, 42, 0, 0.5, 2, n);
        double[] want = {2.264497812444538, -0.4016997514377202, 0.876705268231863};  // from an independent implementation
        double[] got = ref.values(n);
        for (int i = 0; i < 3; i++) assertEquals(want[i], got[i], 1e-15 * Math.abs(want[i]));
        // The counter continues a stream: elements 1, 2 of counter 0 are elements 0, 1 of counter 1.
        Tensor u2 = ref.zeros(DType.FLOAT64, 2);
        be.random(RandomKind.UNIFORM, 42, 1, -2, 3, u2);
        assertBits(d(-1.2004480356153995, -0.6069943487243066), ref.values(u2));
        Tensor f = ref.zeros(DType.FLOAT32, 1);
        be.random(RandomKind.UNIFORM, 42, 0, -2, 3, f);
        assertBits(d(1.7078243494033813), ref.values(f));
    }

    // ------------------------------------------------------------------ memory, errors, registry

    @Test void worksOnBorrowedMemoryAndRefusesToWriteReadOnlyMemory() {
        long before = MemoryStats.allocatedBytes();
        long address = NativeMemory.allocate(32);
        try {
            for (int i = 0; i < 8; i++) NativeMemory.putFloat(address + 4L * i, i + 1);
            HostBuffer ro = HostBuffer.wrap(address, 16, false, null, null);
            HostBuffer rw = HostBuffer.wrap(address, 32, true, null, null);
            assertEquals(before, MemoryStats.allocatedBytes(), "borrowed memory is not counted");
            Tensor x = new Tensor(ro, DType.FLOAT32, new long[] {4}, new long[] {1}, 0);
            Tensor out = new Tensor(rw, DType.FLOAT32, new long[] {4}, new long[] {-1}, 7);  // elements 7, 6, 5, 4
            be.unary(UnaryOp.SQUARE, x, out);
            assertBits(d(1, 2, 3, 4, 16, 9, 4, 1), ref.values(new Tensor(rw, DType.FLOAT32, new long[] {8}, new long[] {1}, 0)));
            assertThrows(IllegalArgumentException.class, () -> be.unary(UnaryOp.NEG, x, x));
            assertThrows(IllegalArgumentException.class, () -> be.write(ro, 0, ByteBuffer.allocate(4)));
            rw.release();
            ro.release();
            assertThrows(IllegalStateException.class, () -> be.unary(UnaryOp.NEG, out, out));
        } finally {
            NativeMemory.free(address);
        }
    }

    @Test void errorsNameTheOpAndWhatWasReceived() {
        Tensor a = ref.zeros(DType.FLOAT32, 2, 3), b = ref.zeros(DType.INT64, 2, 3);
        DTypeException e = assertThrows(DTypeException.class, () -> be.binary(BinaryOp.ADD, a, b, a));
        assertEquals("binary ADD: expected inputs of one dtype. Received: a=float32[2, 3], b=int64[2, 3]", e.getMessage());
        IllegalArgumentException bounds = assertThrows(IllegalArgumentException.class,
                () -> be.copy(new Tensor(a.buffer(), DType.FLOAT32, new long[] {7}, new long[] {1}, 0), ref.zeros(DType.FLOAT32, 7)));
        assertTrue(bounds.getMessage().startsWith("copy: src reaches elements 0..6 but its buffer holds 6 float32 elements"), bounds.getMessage());
    }

    @Test void registeredAsTheJavaBackend() {
        assertTrue(Backends.registered().contains("java"));
        assertTrue(Backends.available().contains("java"));
        Backend java = Backends.get("java");
        assertEquals("java", java.name());
        assertTrue(java instanceof JavaBackend);
    }
}
