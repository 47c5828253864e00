package org.pyj4.backend.reference;

import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.UnaryOp;

/**
 * The meaning of every elementwise op on one value: the definitions that all backends follow.
 * Floats are computed in double (the caller rounds once to the output dtype); integers and bools in
 * long (the caller wraps to the output width; bools are 0/1 on input and {@code != 0} on output).
 * Transcendentals use StrictMath, so results are the same on every JVM and platform.
 */
public final class Scalars {
    private Scalars() {}

    // ------------------------------------------------------------------ unary

    public static double unary(UnaryOp op, double x) {
        switch (op) {
            case NEG: return -x;
            case ABS: return Math.abs(x);
            case SIGN: return x > 0 ? 1.0 : x < 0 ? -1.0 : x == 0 ? 0.0 : x;  // NumPy: sign(-0.0) = 0.0, sign(NaN) = NaN
            case SQUARE: return x * x;
            case RELU: return x > 0 ? x : Double.isNaN(x) ? x : 0.0;       // NaN propagates, relu(-0.0) = 0.0
            case FLOOR: return Math.floor(x);
            case CEIL: return Math.ceil(x);
            case ROUND: return Math.rint(x);                                 // half to even, like np.round
            case EXP: return StrictMath.exp(x);
            case EXPM1: return StrictMath.expm1(x);
            case LOG: return StrictMath.log(x);
            case LOG1P: return StrictMath.log1p(x);
            case SQRT: return StrictMath.sqrt(x);
            case RECIPROCAL: return 1.0 / x;
            case SIN: return StrictMath.sin(x);
            case COS: return StrictMath.cos(x);
            case TAN: return StrictMath.tan(x);
            case TANH: return StrictMath.tanh(x);
            case SIGMOID: return sigmoid(x);
            case ERF: return erf(x);
            case ISNAN: return Double.isNaN(x) ? 1 : 0;
            case ISINF: return Double.isInfinite(x) ? 1 : 0;
            case ISFINITE: return Double.isFinite(x) ? 1 : 0;
            default: throw new IllegalArgumentException("unary " + op + ": not defined for floats");
        }
    }

    /** Integers (and bools as 0/1). FLOOR/CEIL/ROUND are the identity; ISNAN/ISINF are false, ISFINITE true. */
    public static long unary(UnaryOp op, long x, boolean isBool) {
        switch (op) {
            case NEG: return -x;
            case ABS: return Math.abs(x);
            case SIGN: return Long.signum(x);
            case SQUARE: return x * x;
            case RELU: return Math.max(x, 0);
            case FLOOR: case CEIL: case ROUND: return x;
            case INVERT: return isBool ? x ^ 1 : ~x;   // logical not for bools, bitwise not for integers
            case ISNAN: case ISINF: return 0;
            case ISFINITE: return 1;
            default: throw new IllegalArgumentException("unary " + op + ": not defined for integers");
        }
    }

    /** Numerically stable logistic function: never computes exp of a large positive number. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + StrictMath.exp(-x));
        double e = StrictMath.exp(x);
        return e / (1.0 + e);
    }

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;  // 2 / sqrt(pi)
    private static final double SQRT_PI = 1.7724538509055159;

    /**
     * The error function, to within a few ulps (relative error below 1e-14). For |x| < 2 the series
     * erf(x) = 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1)), whose terms are all
     * positive (no cancellation); for 2 <= |x| < 6, 1 - erfc(x) with erfc from its continued fraction
     * erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))); beyond 6 erf rounds to 1.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return -erf(-x);
        if (x == 0) return x;  // keeps the sign of -0.0 (handled above: -erf(0.0) = -0.0)
        if (x >= 6) return 1.0;
        if (x < 2) {
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int n = 1; ; n++) {
                term *= 2 * x2 / (2 * n + 1);
                if (term <= sum * 0x1p-56) break;
                sum += term;
            }
            return TWO_OVER_SQRT_PI * expMinusSquare(x) * sum;
        }
        double f = x;
        for (int n = 60; n >= 1; n--) f = x + (n * 0.5) / f;  // converges to well below 1 ulp for x >= 2
        double erfc = expMinusSquare(x) / (SQRT_PI * f);
        return 1.0 - erfc;
    }

    /** exp(-x*x) without the error of rounding x*x: x*x = hi + lo exactly, exp(-lo) ~ 1 - lo. */
    private static double expMinusSquare(double x) {
        double hi = x * x;
        double lo = Math.fma(x, x, -hi);
        return StrictMath.exp(-hi) * (1.0 - lo);
    }

    // ------------------------------------------------------------------ binary

    /** Floats: arithmetic ops (comparisons go through {@link #compare(BinaryOp, double, double)}). */
    public static double binary(BinaryOp op, double a, double b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case FLOORDIV: return floorDiv(a, b);
            case MOD: return mod(a, b);
            case POW: return pow(a, b);
            case MAXIMUM: return Math.max(a, b);  // NaN propagates; -0.0 < 0.0
            case MINIMUM: return Math.min(a, b);
            case ADD_RELU: return unary(UnaryOp.RELU, a + b);
            case RELU_GRAD: return b > 0 ? a : Double.isNaN(b) ? b : 0.0;
            default: throw new IllegalArgumentException("binary " + op + ": not defined for floats");
        }
    }

    /** Integers and bools (0/1): arithmetic in long, wrapped by the caller; AND/OR/XOR are bitwise. */
    public static long binary(BinaryOp op, long a, long b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case FLOORDIV: return b == 0 ? 0 : Math.floorDiv(a, b);  // NumPy: 0 (with a warning)
            case MOD: return b == 0 ? 0 : Math.floorMod(a, b);
            case POW: return pow(a, b);
            case MAXIMUM: return Math.max(a, b);
            case MINIMUM: return Math.min(a, b);
            case AND: return a & b;
            case OR: return a | b;
            case XOR: return a ^ b;
            default: throw new IllegalArgumentException("binary " + op + ": not defined for integers");
        }
    }

    /** Comparisons of floats: any comparison with NaN is false, except NE. */
    public static boolean compare(BinaryOp op, double a, double b) {
        switch (op) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            case GE: return a >= b;
            default: throw new IllegalArgumentException("binary " + op + ": not a comparison");
        }
    }

    public static boolean compare(BinaryOp op, long a, long b) {
        switch (op) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            case GE: return a >= b;
            default: throw new IllegalArgumentException("binary " + op + ": not a comparison");
        }
    }

    /**
     * Float a mod b with the sign of b, exactly as NumPy's npy_divmod: fmod, then moved into b's
     * sign; a zero result takes b's sign; b == 0 gives NaN.
     */
    public static double mod(double a, double b) {
        double mod = a % b;  // Java's % on doubles is C's fmod
        if (b == 0) return mod;
        if (mod != 0) {
            if ((b < 0) != (mod < 0)) mod += b;
        } else {
            mod = Math.copySign(0.0, b);
        }
        return mod;
    }

    /** Float floor division, exactly as NumPy's npy_floor_divide / npy_divmod. */
    public static double floorDiv(double a, double b) {
        if (b == 0) return a / b;  // +-Inf, or NaN for 0/0 and NaN/0
        double mod = a % b;
        double div = (a - mod) / b;  // very nearly an integer
        if (mod != 0) {
            if ((b < 0) != (mod < 0)) div -= 1.0;
        }
        double floordiv;
        if (div != 0) {
            // Snap to the nearest integer (div may be off by rounding).
            floordiv = Math.floor(div);
            if (div - floordiv > 0.5) floordiv += 1.0;
        } else {
            floordiv = Math.copySign(0.0, a / b);
        }
        return floordiv;
    }

    /**
     * Float power: Java's pow, except where C99 pow (which NumPy uses) differs:
     * pow(1, y) = 1 for every y (NaN too), pow(-1, +-Inf) = 1.
     */
    public static double pow(double a, double b) {
        if (a == 1.0) return 1.0;
        if (a == -1.0 && Double.isInfinite(b)) return 1.0;
        return StrictMath.pow(a, b);
    }

    /**
     * Integer power by repeated squaring, wrapping like every integer op. A negative exponent (which
     * the NDArray layer rejects, as NumPy does) gives 1/a^|b| truncated: 0, except for a = 1 or -1.
     */
    public static long pow(long a, long b) {
        if (b < 0) {
            if (a == 1) return 1;
            if (a == -1) return (b & 1) == 0 ? 1 : -1;
            return 0;
        }
        long result = 1;
        long base = a;
        while (b != 0) {
            if ((b & 1) != 0) result *= base;
            base *= base;
            b >>>= 1;
        }
        return result;
    }
}
