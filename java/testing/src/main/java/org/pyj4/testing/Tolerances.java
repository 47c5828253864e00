package org.pyj4.testing;

import java.util.HashMap;
import java.util.Map;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.RandomKind;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.UnaryOp;
import org.pyj4.ndarray.DType;

/**
 * The one table of how closely every backend must match the reference, per op and output dtype.
 * Integer and bool results are always exact, and so is every op that only moves or compares values.
 * Float bounds are relative (see {@link Tolerance}) and come in four columns: float64, float32,
 * float16, bfloat16. The absolute part is the dtype's smallest normal number, so that a backend that
 * flushes subnormal results to zero passes.
 *
 * <p>Why these numbers: a correctly rounded op (+ - * / sqrt, computed in a wider type or not) can be
 * off by at most one rounding from the reference, which rounds once from double: one epsilon. Library
 * transcendentals (libm, CUDA) are within an ulp or two of the truth: 1e-14 / 1e-6 for float64 /
 * float32, while float16 and bfloat16 allow one ulp of their own (2^-10 < 1e-3, 2^-7 < 1e-2).
 * Sums and matmuls are bounded relative to the sum of the magnitudes of their terms, which covers
 * float32 accumulation and pairwise or blocked orders.
 */
public final class Tolerances {
    private Tolerances() {}

    private static final double EPS64 = 0x1p-52, EPS32 = 0x1p-23, EPS16 = 0x1p-10, EPSBF = 0x1p-7;

    private static final double[] EXACT = {0, 0, 0, 0};
    private static final double[] ONE_ROUNDING = {EPS64, EPS32, EPS16, EPSBF};
    private static final double[] LIBM = {1e-14, 1e-6, 1e-3, 1e-2};
    private static final double[] ACCUMULATED = {1e-13, 1e-5, 1e-3, 1e-2};
    private static final double[] RNN_CELL = {1e-12, 2e-6, 1e-3, 1e-2};
    private static final double[] RNN_SEQUENCE = {1e-11, 2e-5, 1e-2, 1e-1};

    private static final Map<String, double[]> TABLE = new HashMap<>();

    static {
        //                                 float64 float32 float16 bfloat16
        row("copy", EXACT);               // conversions round once, correctly: no room for error
        row("where", EXACT);
        row("gather", EXACT);
        row("scatter", EXACT);

        for (UnaryOp op : new UnaryOp[] {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.RELU, UnaryOp.FLOOR,
                UnaryOp.CEIL, UnaryOp.ROUND, UnaryOp.INVERT, UnaryOp.ISNAN, UnaryOp.ISINF, UnaryOp.ISFINITE}) {
            row("unary." + op, EXACT);
        }
        row("unary.SQUARE", ONE_ROUNDING);
        row("unary.SQRT", ONE_ROUNDING);
        row("unary.RECIPROCAL", ONE_ROUNDING);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.EXPM1, UnaryOp.LOG, UnaryOp.LOG1P, UnaryOp.SIN,
                UnaryOp.COS, UnaryOp.TAN, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.ERF}) {
            row("unary." + op, LIBM);
        }

        for (BinaryOp op : BinaryOp.values()) row("binary." + op, EXACT);  // comparisons, bitwise, max/min
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV,
                BinaryOp.FLOORDIV, BinaryOp.MOD, BinaryOp.ADD_RELU}) {
            row("binary." + op, ONE_ROUNDING);
        }
        row("binary.POW", LIBM);

        for (ReduceOp op : ReduceOp.values()) row("reduce." + op, EXACT);
        row("reduce.SUM", ACCUMULATED);  // relative to the sum of |x|
        row("reduce.PROD", ACCUMULATED);
        row("matmul", ACCUMULATED);      // relative to |a| @ |b|

        row("scatterAdd", ACCUMULATED);  // relative to |dst| + the sum of |values| added in
        row("im2col", EXACT);            // moves values, zeros in the padding
        row("col2im", ACCUMULATED);      // relative to |x| + the sum of |cols| added in
        row("conv2d", ACCUMULATED);      // relative to |bias| + the sum of |x| * |kernel| over the window
        row("conv2dKernelGrad", ACCUMULATED);  // relative to the sum of |x| * |dy| (|dy| for the bias)
        row("pool.MAX", EXACT);
        row("pool.AVG", ACCUMULATED);    // relative to the mean of |x| over the window
        row("rnnCell", RNN_CELL);        // absolute, for outputs of order 1 (scale 16): vector sigmoid/tanh plus a few roundings
        row("lstmSequence", RNN_SEQUENCE);  // absolute (scale 16): a few steps of cells and float32 products feeding each other

        row("random.UNIFORM", ONE_ROUNDING);
        row("random.NORMAL", LIBM);      // relative to |mean| + |std| and the value
    }

    private static void row(String op, double[] rtol) { TABLE.put(op, rtol); }

    /**
     * The tolerance of op ("copy", "unary.EXP", "binary.ADD", "reduce.SUM", "matmul", "random.NORMAL",
     * ...) for results of dtype {@code out}.
     */
    public static Tolerance of(String op, DType out) {
        double[] row = TABLE.get(op);
        if (row == null) throw new IllegalArgumentException("no tolerance declared for op '" + op + "': add a row to Tolerances");
        if (!out.isFloat()) return Tolerance.EXACT;
        int column;
        double minNormal;
        switch (out) {
            case FLOAT64: column = 0; minNormal = Double.MIN_NORMAL; break;
            case FLOAT32: column = 1; minNormal = Float.MIN_NORMAL; break;
            case FLOAT16: column = 2; minNormal = 0x1p-14; break;
            default: column = 3; minNormal = Float.MIN_NORMAL; break;
        }
        double rtol = row[column];
        return rtol == 0 ? Tolerance.EXACT : new Tolerance(minNormal, rtol);
    }

    public static Tolerance unary(UnaryOp op, DType out) { return of("unary." + op, out); }
    public static Tolerance binary(BinaryOp op, DType out) { return of("binary." + op, out); }
    public static Tolerance reduce(ReduceOp op, DType out) { return of("reduce." + op, out); }
    public static Tolerance random(RandomKind kind, DType out) { return of("random." + kind, out); }
}
