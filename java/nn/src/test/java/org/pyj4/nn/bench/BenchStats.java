package org.pyj4.nn.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/** Times epochs of a training bench: one warm-up epoch, then samples/s per epoch and their median. */
final class BenchStats {
    private BenchStats() {}

    /** Runs {@code epochs} timed epochs after one warm-up; epoch returns its mean loss. */
    static double run(int epochs, int samples, int batch, DoubleSupplier epoch) {
        double warm = epoch.getAsDouble();
        if (org.pyj4.backend.Backends.getDefault().name().equals("timed")) TimedBackend.report(1);  // drops the warm-up
        System.out.printf(Locale.ROOT, "warm-up epoch: loss %.4f%n", warm);
        double[] rates = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            long t0 = System.nanoTime();
            double loss = epoch.getAsDouble();
            double s = (System.nanoTime() - t0) / 1e9;
            rates[e] = samples / s;
            System.out.printf(Locale.ROOT, "epoch %d: %.0f samples/s (%.3f ms/step), loss %.4f%n", e + 1, rates[e], 1000 * s / Math.ceil((double) samples / batch), loss);
        }
        if (org.pyj4.backend.Backends.getDefault().name().equals("timed")) TimedBackend.report((int) Math.ceil((double) samples / batch) * epochs);
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        System.out.printf(Locale.ROOT, "median: %.0f samples/s (%.3f ms/step)%n", median, 1000.0 * batch / median);
        return median;
    }
}
