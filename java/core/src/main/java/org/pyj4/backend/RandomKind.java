package org.pyj4.backend;

/**
 * Counter-based random numbers, identical on every backend. Element {@code i} (row-major) of a fill
 * with key {@code seed} and start {@code counter} uses {@code n = counter + i} and
 * <pre>
 * bits(k)   = mix64(seed + 0x9E3779B97F4A7C15 * (k + 1))      // splitmix64's finalizer, wrapping
 * u(k)      = (bits(k) >>> 11) * 2^-53                          // uniform in [0, 1)
 * UNIFORM:  low + (high - low) * u(n)
 * NORMAL:   mean + std * sqrt(-2 ln(1 - u(2n))) * cos(2 pi u(2n + 1))
 * </pre>
 * computed in double and rounded to the output dtype.
 */
public enum RandomKind {
    UNIFORM, NORMAL;

    /** splitmix64's output function. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static double uniform01(long seed, long k) {
        return (mix64(seed + 0x9E3779B97F4A7C15L * (k + 1)) >>> 11) * 0x1.0p-53;
    }

    /** The value of element n, in double, before rounding to the output dtype. */
    public double sample(long seed, long n, double a, double b) {
        if (this == UNIFORM) return a + (b - a) * uniform01(seed, n);
        double r = Math.sqrt(-2.0 * Math.log(1.0 - uniform01(seed, 2 * n)));
        return a + b * r * Math.cos(2.0 * Math.PI * uniform01(seed, 2 * n + 1));
    }
}
