package org.pyj4.ndarray;

import java.util.concurrent.atomic.AtomicLong;
import org.pyj4.backend.RandomKind;

/**
 * The global seeded generator. Numbers are counter-based ({@link RandomKind}): the same seed gives the
 * same arrays on every backend, and each call consumes as many counters as it draws elements.
 */
public final class Random {
    private static volatile long seed = System.nanoTime();
    private static final AtomicLong counter = new AtomicLong();

    private Random() {}

    public static synchronized void seed(long s) {
        seed = s;
        counter.set(0);
    }

    public static NDArray normal(long[] shape, double mean, double std, DType dtype) {
        return draw(RandomKind.NORMAL, shape, mean, std, dtype);
    }

    public static NDArray uniform(long[] shape, double low, double high, DType dtype) {
        return draw(RandomKind.UNIFORM, shape, low, high, dtype);
    }

    private static NDArray draw(RandomKind kind, long[] shape, double a, double b, DType dtype) {
        String op = kind.name().toLowerCase(java.util.Locale.ROOT);
        if (!dtype.isFloat()) throw new DTypeException("random." + op + ": expected a float dtype. Received: dtype=" + dtype);
        Shapes.checkShape("random." + op, shape);
        NDArray out = NDArray.zeros(dtype, shape);
        long start = counter.getAndAdd(out.size());
        out.backend().random(kind, seed, start, a, b, out.tensor());
        return out;
    }
}
