package org.pyj4.testing;

/**
 * How far a backend's value may be from the reference value: {@code |actual - expected| <= atol +
 * rtol * max(|expected|, scale)}, where scale is the magnitude of the terms that produced the value
 * (sum of |x| for a sum, |a| @ |b| for a matmul; 0 for elementwise ops). NaN must meet NaN, and an
 * infinity the same infinity. {@link #EXACT} demands identical bits (any NaN matches any NaN; -0.0
 * does not match 0.0).
 */
public record Tolerance(double atol, double rtol) {
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public boolean isExact() { return atol == 0 && rtol == 0; }

    /** Whether {@code actual} is close enough to {@code expected} (values, not bit patterns). */
    public boolean accepts(double expected, double actual, double scale) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) return Double.isNaN(expected) && Double.isNaN(actual);
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) return expected == actual;
        double bound = atol + rtol * Math.max(Math.abs(expected), Double.isNaN(scale) ? 0 : scale);
        return Math.abs(actual - expected) <= bound;
    }

    @Override public String toString() { return isExact() ? "exact" : "atol=" + atol + ", rtol=" + rtol; }
}
