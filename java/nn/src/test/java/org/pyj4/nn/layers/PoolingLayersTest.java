package org.pyj4.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pyj4.nn.LayerTesting.layer;
import static org.pyj4.nn.LayerTesting.maxRelativeError;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.GradCheck;
import org.pyj4.nn.LayerTesting;
import org.pyj4.nn.Naive;
import org.pyj4.nn.autograd.Variable;

/** MaxPooling2D, AveragePooling2D and the global poolings: forward against direct loops, gradients, both backends. */
class PoolingLayersTest {
    /** Distinct values (no ties, so max pooling's gradient is well defined for finite differences). */
    private static NDArray distinct(long seed, long... shape) {
        int n = 1;
        for (long d : shape) n *= (int) d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.37 - n * 0.15;
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return NDArray.create(v, shape);
    }

    @Test void poolingMatchesDirectLoopsOnRandomConfigurations() {
        Random r = new Random(21);
        for (int trial = 0; trial < 24; trial++) {
            boolean max = trial % 2 == 0, channelsFirst = r.nextInt(3) == 0;
            int n = 1 + r.nextInt(2), h = 2 + r.nextInt(6), w = 2 + r.nextInt(6), c = 1 + r.nextInt(3);
            int ph = 1 + r.nextInt(3), pw = 1 + r.nextInt(3), sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
            String padding = r.nextBoolean() ? "same" : "valid";
            if (Naive.outLength(padding, h, ph, sh, 1) <= 0 || Naive.outLength(padding, w, pw, sw, 1) <= 0) continue;
            String cls = max ? "MaxPooling2D" : "AveragePooling2D";
            String json = "{\"pool_size\": [" + ph + ", " + pw + "], \"strides\": [" + sh + ", " + sw + "], \"padding\": \"" + padding + "\", \"data_format\": \""
                    + (channelsFirst ? "channels_first" : "channels_last") + "\", \"dtype\": \"float64\"}";
            try (MemoryScope s = MemoryScope.open()) {
                Layer pool = layer(cls, json);
                NDArray nhwc = distinct(trial, n, h, w, c);
                NDArray x = channelsFirst ? nhwc.transpose(0, 3, 1, 2).copy() : nhwc;
                double[] want = Naive.pool2d(nhwc.toDoubleArray(), n, h, w, c, ph, pw, sh, sw, padding, max);
                NDArray y = pool.apply(Variable.constant(x), false).value();
                double[] got = channelsFirst ? y.transpose(0, 2, 3, 1).toDoubleArray() : y.toDoubleArray();
                assertTrue(maxRelativeError(got, want) < 1e-14, cls + " " + json);
                assertArrayEquals(pool.outputShape(Arrays.copyOfRange(x.shape(), 1, 4)), Arrays.copyOfRange(y.shape(), 1, 4));
                if (trial < 10) GradCheck.check(cls + " " + json, v -> pool.apply(v.get(0), true), 1e-7, x);
                if (LayerTesting.cpuAvailable()) {
                    double[] cpu = LayerTesting.on("cpu", () -> pool.apply(Variable.constant(x), false).value().toDoubleArray());
                    assertTrue(maxRelativeError(cpu, y.toDoubleArray()) < 1e-14, cls + " on cpu " + json);
                    double[][] grads = {gradient(pool, x), LayerTesting.on("cpu", () -> gradient(pool, x))};
                    assertTrue(maxRelativeError(grads[1], grads[0]) < 1e-14, cls + " gradient on cpu " + json);
                }
            }
        }
    }

    private static double[] gradient(Layer layer, NDArray x) {
        try (MemoryScope s = MemoryScope.open()) {
            Variable in = Variable.leaf(x);
            Variable y = layer.apply(in, true);
            org.pyj4.nn.autograd.ReductionOps.sum(org.pyj4.nn.autograd.ElementwiseOps.mul(y, Variable.constant(LayerTesting.uniform(4, -1, 1, y.shape())))).backward();
            return in.grad().toDoubleArray();
        }
    }

    @Test void globalPoolingReducesRowsAndColumns() {
        try (MemoryScope s = MemoryScope.open()) {
            NDArray x = distinct(3, 2, 3, 4, 5);
            for (boolean first : new boolean[] {false, true}) {
                NDArray in = first ? x.transpose(0, 3, 1, 2).copy() : x;
                String fmt = "{\"data_format\": \"" + (first ? "channels_first" : "channels_last") + "\", \"dtype\": \"float64\"}";
                Layer avg = layer("GlobalAveragePooling2D", fmt), max = layer("GlobalMaxPooling2D", fmt);
                assertArrayEquals(x.mean(new int[] {1, 2}, false).toDoubleArray(), avg.apply(Variable.constant(in), false).value().toDoubleArray(), 1e-14);
                assertArrayEquals(x.max(new int[] {1, 2}, false).toDoubleArray(), max.apply(Variable.constant(in), false).value().toDoubleArray(), 0);
                assertArrayEquals(new long[] {5}, avg.outputShape(Arrays.copyOfRange(in.shape(), 1, 4)));
                GradCheck.check("GlobalAveragePooling2D", v -> avg.apply(v.get(0), true), in);
                GradCheck.check("GlobalMaxPooling2D", v -> max.apply(v.get(0), true), in);
            }
            Layer keep = layer("GlobalAveragePooling2D", "{\"keepdims\": true}");
            assertArrayEquals(new long[] {1, 1, 5}, keep.outputShape(new long[] {3, 4, 5}));
        }
    }
}
