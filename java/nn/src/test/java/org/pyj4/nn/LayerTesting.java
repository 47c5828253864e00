package org.pyj4.nn;

import com.google.gson.JsonParser;
import java.util.function.Supplier;
import org.pyj4.backend.Backends;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.layers.Layer;
import org.pyj4.nn.layers.Layers;

/** Helpers for the layer tests: layers from JSON, seeded random arrays and weights, running on a chosen backend. */
public final class LayerTesting {
    private LayerTesting() {}

    /** A layer from {"class_name": className, "config": configJson}. */
    public static Layer layer(String className, String configJson) {
        return Layers.fromJson(JsonParser.parseString("{\"class_name\": \"" + className + "\", \"config\": " + configJson + "}"));
    }

    /** A float64 array of uniform values in [lo, hi), from a seed. */
    public static NDArray uniform(long seed, double lo, double hi, long... shape) {
        java.util.Random r = new java.util.Random(seed);
        int n = 1;
        for (long d : shape) n *= (int) d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return NDArray.create(v, shape);
    }

    /** Overwrites every weight of a built layer with uniform values in [-scale, scale). */
    public static void randomizeWeights(Layer layer, long seed, double scale) {
        long s = seed;
        for (Parameter p : layer.weights()) {
            try (NDArray v = uniform(s++, -scale, scale, p.shape()); NDArray c = v.astype(p.dtype())) {
                p.assign(c);
            }
        }
    }

    /** Whether the native CPU backend runs here (the native library was built). */
    public static boolean cpuAvailable() { return Backends.available().contains("cpu"); }

    /** Runs body with {@code backend} as the default backend, then restores the previous one. */
    public static <T> T on(String backend, Supplier<T> body) {
        String previous = Backends.getDefault().name();
        Backends.setDefault(backend);
        try {
            return body.get();
        } finally {
            Backends.setDefault(previous);
        }
    }

    /** The largest |a - b| / max(1, |b|). */
    public static double maxRelativeError(double[] a, double[] b) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
        return worst;
    }
}
