package org.pyj4.nn.layers;

import org.pyj4.backend.Backend;
import org.pyj4.backend.Backends;
import org.pyj4.backend.RandomKind;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.Random;

/**
 * Random arrays for initializers and dropout: from a seed of their own (counter-based, so the same
 * seed gives the same values on every backend), or from pyj4's global generator when the seed is null.
 */
public final class Draws {
    private Draws() {}

    public static NDArray uniform(long[] shape, double low, double high, DType dtype, Long seed, long counter) {
        if (seed == null) return Random.uniform(shape, low, high, dtype);
        return fill(RandomKind.UNIFORM, shape, low, high, dtype, seed, counter);
    }

    public static NDArray normal(long[] shape, double mean, double std, DType dtype, Long seed, long counter) {
        if (seed == null) return Random.normal(shape, mean, std, dtype);
        return fill(RandomKind.NORMAL, shape, mean, std, dtype, seed, counter);
    }

    /** Normal values redrawn until all lie within two standard deviations of the mean (Keras' truncated_normal). */
    public static NDArray truncatedNormal(long[] shape, double mean, double std, DType dtype, Long seed) {
        long n = 1;
        for (long d : shape) n *= d;
        long counter = 0;
        NDArray x = normal(shape, mean, std, dtype, seed, counter);
        try (NDArray lo = NDArray.scalarOf(mean - 2 * std, dtype); NDArray hi = NDArray.scalarOf(mean + 2 * std, dtype)) {
            for (int round = 0; round < 64; round++) {
                try (NDArray below = x.lt(lo); NDArray above = x.gt(hi); NDArray outside = below.or(above); NDArray any = outside.any(null, false)) {
                    if (!any.getBoolean()) return x;
                    counter += n;
                    try (NDArray fresh = normal(shape, mean, std, dtype, seed, counter); NDArray old = x) {
                        x = NDArray.where(outside, fresh, old);
                    }
                }
            }
            // Practically unreachable (each element stays outside with probability 0.046^64); keep the bound anyway.
            try (NDArray old = x) {
                return old.clip(lo, hi);
            }
        }
    }

    /** A fresh seed from the global generator: how a layer with seed=None still follows pyj4.random.seed. */
    public static long seedFromGlobal() {
        try (NDArray u = Random.uniform(new long[] {1}, 0, 0x1p52, DType.FLOAT64)) {
            return (long) u.getDouble();
        }
    }

    private static NDArray fill(RandomKind kind, long[] shape, double a, double b, DType dtype, long seed, long counter) {
        Backend backend = Backends.getDefault();
        NDArray out = NDArray.empty(dtype, shape, backend);
        backend.random(kind, seed, counter, a, b, out.tensor());
        return out;
    }
}
