package org.pyj4.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pyj4.nn.LayerTesting.layer;
import static org.pyj4.nn.LayerTesting.maxRelativeError;
import static org.pyj4.nn.LayerTesting.randomizeWeights;
import static org.pyj4.nn.LayerTesting.uniform;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;
import org.pyj4.nn.GradCheck;
import org.pyj4.nn.LayerTesting;
import org.pyj4.nn.Naive;
import org.pyj4.nn.autograd.Variable;

/**
 * Conv1D and Conv2D over random configurations (strides, padding, dilation, groups, data_format,
 * activation): forward against a direct convolution, gradients against finite differences, and the
 * native CPU backend against both.
 */
class ConvLayersTest {
    /** One random 2-D configuration; the last entry is whether the window fits. */
    private record Conv(int n, int h, int w, int c, int f, int kh, int kw, int sh, int sw, int dh, int dw, String padding, int groups,
                        boolean channelsFirst, String activation) {
        static Conv random(Random r, int maxSide) {
            while (true) {
                int groups = r.nextInt(3) == 0 ? 2 : 1;
                Conv c = new Conv(1 + r.nextInt(2), 2 + r.nextInt(maxSide - 1), 2 + r.nextInt(maxSide - 1), groups * (1 + r.nextInt(2)),
                        groups * (1 + r.nextInt(2)), 1 + r.nextInt(3), 1 + r.nextInt(3), 1 + r.nextInt(2), 1 + r.nextInt(2), 1 + r.nextInt(2),
                        1 + r.nextInt(2), r.nextBoolean() ? "same" : "valid", groups, r.nextInt(3) == 0,
                        new String[] {"linear", "relu", "tanh", "sigmoid", "elu"}[r.nextInt(5)]);
                if (Naive.outLength(c.padding, c.h, c.kh, c.sh, c.dh) > 0 && Naive.outLength(c.padding, c.w, c.kw, c.sw, c.dw) > 0) return c;
            }
        }

        String json() {
            return "{\"filters\": " + f + ", \"kernel_size\": [" + kh + ", " + kw + "], \"strides\": [" + sh + ", " + sw + "], \"padding\": \"" + padding
                    + "\", \"dilation_rate\": [" + dh + ", " + dw + "], \"groups\": " + groups + ", \"activation\": \"" + activation
                    + "\", \"data_format\": \"" + (channelsFirst ? "channels_first" : "channels_last") + "\", \"dtype\": \"float64\"}";
        }

        long[] inputShape() { return channelsFirst ? new long[] {n, c, h, w} : new long[] {n, h, w, c}; }
    }

    /** The layer's activation applied to a naive pre-activation. */
    private static double[] activate(String activation, double[] z) {
        double[] y = z.clone();
        for (int i = 0; i < y.length; i++) {
            switch (activation) {
                case "relu": y[i] = Math.max(0, z[i]); break;
                case "tanh": y[i] = Math.tanh(z[i]); break;
                case "sigmoid": y[i] = 1 / (1 + Math.exp(-z[i])); break;
                case "elu": y[i] = z[i] > 0 ? z[i] : Math.expm1(z[i]); break;
                default: break;
            }
        }
        return y;
    }

    /** NHWC values of an input given in either layout. */
    private static double[] channelsLast(NDArray x, boolean channelsFirst) {
        return channelsFirst ? x.transpose(0, 2, 3, 1).toDoubleArray() : x.toDoubleArray();
    }

    /** The expected output of a built Conv2D in its own layout. */
    private static double[] expected(Conv c, Layer conv, NDArray x) {
        double[] k = conv.weights().get(0).value().toDoubleArray(), b = conv.weights().get(1).value().toDoubleArray();
        double[] y = activate(c.activation, Naive.conv2d(channelsLast(x, c.channelsFirst), c.n, c.h, c.w, c.c, k, c.kh, c.kw, c.f, b, c.sh, c.sw,
                c.dh, c.dw, c.padding, c.groups));
        if (!c.channelsFirst) return y;
        int oh = Naive.outLength(c.padding, c.h, c.kh, c.sh, c.dh), ow = Naive.outLength(c.padding, c.w, c.kw, c.sw, c.dw);
        try (NDArray nhwc = NDArray.create(y, c.n, oh, ow, c.f)) {
            return nhwc.transpose(0, 3, 1, 2).toDoubleArray();
        }
    }

    @Test void conv2dMatchesADirectConvolutionOnRandomConfigurations() {
        Random r = new Random(11);
        for (int trial = 0; trial < 24; trial++) {
            Conv c = Conv.random(r, 7);
            try (MemoryScope s = MemoryScope.open(); Layer conv = layer("Conv2D", c.json())) {
                NDArray x = uniform(trial, -1, 1, c.inputShape());
                conv.build(Arrays.copyOfRange(c.inputShape(), 1, 4));
                randomizeWeights(conv, 100 + trial, 0.5);
                double[] want = expected(c, conv, x);
                NDArray y = conv.apply(Variable.constant(x), false).value();
                assertArrayEquals(conv.outputShape(Arrays.copyOfRange(c.inputShape(), 1, 4)), Arrays.copyOfRange(y.shape(), 1, 4), c.toString());
                assertTrue(maxRelativeError(y.toDoubleArray(), want) < 1e-12, c + ": java backend differs from the direct convolution");
                if (LayerTesting.cpuAvailable()) {
                    double[] cpu = LayerTesting.on("cpu", () -> conv.apply(Variable.constant(x), false).value().toDoubleArray());
                    assertTrue(maxRelativeError(cpu, want) < 1e-12, c + ": cpu backend differs from the direct convolution");
                }
            }
        }
    }

    @Test void conv2dGradientsMatchFiniteDifferences() {
        Random r = new Random(5);
        for (int trial = 0; trial < 6; trial++) {
            Conv c = Conv.random(r, 4);
            Conv smooth = new Conv(1, c.h, c.w, c.c, c.f, c.kh, c.kw, c.sh, c.sw, c.dh, c.dw, c.padding, c.groups, c.channelsFirst,
                    trial % 2 == 0 ? "tanh" : "linear");
            try (MemoryScope s = MemoryScope.open(); Layer conv = layer("Conv2D", smooth.json())) {
                NDArray x = uniform(trial, -1, 1, smooth.inputShape());
                conv.build(Arrays.copyOfRange(smooth.inputShape(), 1, 4));
                randomizeWeights(conv, 7 + trial, 0.5);
                GradCheck.check(smooth + " (input)", v -> conv.apply(v.get(0), true), 1e-6, x);
                GradCheck.checkParameters(smooth + " (weights)", () -> conv.apply(Variable.constant(x), true), conv.weights(), 1e-6);
            }
        }
    }

    @Test void conv2dGradientsAgreeBetweenBackends() {
        if (!LayerTesting.cpuAvailable()) return;
        Random r = new Random(8);
        for (int trial = 0; trial < 8; trial++) {
            Conv c = Conv.random(r, 6);
            try (MemoryScope s = MemoryScope.open(); Layer conv = layer("Conv2D", c.json())) {
                NDArray x = uniform(trial, -1, 1, c.inputShape());
                conv.build(Arrays.copyOfRange(c.inputShape(), 1, 4));
                randomizeWeights(conv, 3 + trial, 0.5);
                double[][] java = gradients(conv, x), cpu = LayerTesting.on("cpu", () -> gradients(conv, x));
                for (int i = 0; i < java.length; i++) assertTrue(maxRelativeError(cpu[i], java[i]) < 1e-12, c + ": gradient " + i + " differs");
            }
        }
    }

    /** Gradients of sum(y * w) for the input, the kernel and the bias. */
    private static double[][] gradients(Layer conv, NDArray x) {
        try (MemoryScope s = MemoryScope.open()) {
            for (var p : conv.weights()) p.zeroGrad();
            Variable in = Variable.leaf(x);
            Variable y = conv.apply(in, true);
            NDArray w = uniform(99, -1, 1, y.shape());
            org.pyj4.nn.autograd.ReductionOps.sum(org.pyj4.nn.autograd.ElementwiseOps.mul(y, Variable.constant(w))).backward();
            double[][] out = {in.grad().toDoubleArray(), conv.weights().get(0).grad().toDoubleArray(), conv.weights().get(1).grad().toDoubleArray()};
            for (var p : conv.weights()) p.zeroGrad();
            return out;
        }
    }

    @Test void conv1dMatchesADirectConvolutionWithCausalPadding() {
        Random r = new Random(3);
        for (int trial = 0; trial < 12; trial++) {
            int n = 1 + r.nextInt(2), len = 3 + r.nextInt(6), groups = r.nextBoolean() ? 2 : 1, c = groups * (1 + r.nextInt(2)), f = groups * (1 + r.nextInt(2));
            int k = 1 + r.nextInt(3), stride = 1 + r.nextInt(2), dilation = 1 + r.nextInt(2);
            String padding = new String[] {"valid", "same", "causal"}[r.nextInt(3)];
            boolean channelsFirst = r.nextInt(3) == 0;
            if (Naive.outLength(padding, len, k, stride, dilation) <= 0) continue;
            String json = "{\"filters\": " + f + ", \"kernel_size\": " + k + ", \"strides\": " + stride + ", \"padding\": \"" + padding + "\", \"dilation_rate\": "
                    + dilation + ", \"groups\": " + groups + ", \"data_format\": \"" + (channelsFirst ? "channels_first" : "channels_last") + "\", \"dtype\": \"float64\"}";
            try (MemoryScope s = MemoryScope.open(); Layer conv = layer("Conv1D", json)) {
                long[] shape = channelsFirst ? new long[] {n, c, len} : new long[] {n, len, c};
                NDArray x = uniform(trial, -1, 1, shape);
                conv.build(Arrays.copyOfRange(shape, 1, 3));
                randomizeWeights(conv, 50 + trial, 0.5);
                // A 1-D convolution is a 2-D one of height 1; causal is "valid" after (k - 1) * dilation zeros in front.
                double[] nlc = channelsFirst ? x.transpose(0, 2, 1).toDoubleArray() : x.toDoubleArray();
                int padded = padding.equals("causal") ? len + (k - 1) * dilation : len;
                double[] input = nlc;
                if (padding.equals("causal")) {
                    input = new double[n * padded * c];
                    for (int b = 0; b < n; b++) System.arraycopy(nlc, b * len * c, input, (b * padded + (k - 1) * dilation) * c, len * c);
                }
                double[] want = Naive.conv2d(input, n, 1, padded, c, conv.weights().get(0).value().toDoubleArray(), 1, k, f,
                        conv.weights().get(1).value().toDoubleArray(), 1, stride, 1, dilation, padding.equals("causal") ? "valid" : padding, groups);
                NDArray y = conv.apply(Variable.constant(x), false).value();
                double[] got = channelsFirst ? y.transpose(0, 2, 1).toDoubleArray() : y.toDoubleArray();
                assertTrue(maxRelativeError(got, want) < 1e-12, "Conv1D " + json);
                if (trial < 4) GradCheck.check("Conv1D " + json, v -> conv.apply(v.get(0), true), 1e-6, x);
            }
        }
    }

    @Test void kerasConfigRoundTripsAndBadArgumentsAreRefused() {
        Layer conv = layer("Conv2D", "{\"name\": \"c\", \"filters\": 4, \"kernel_size\": 3, \"strides\": 2, \"padding\": \"same\"}");
        var cfg = conv.getConfig();
        assertEquals("[3,3]", cfg.get("kernel_size").toString());
        assertEquals("[2,2]", cfg.get("strides").toString());
        assertEquals("channels_last", cfg.get("data_format").getAsString());
        assertEquals(cfg.toString(), Layers.fromJson(conv.toJson()).getConfig().toString());
        assertArrayEquals(new long[] {14, 14, 4}, conv.outputShape(new long[] {28, 28, 1}));
        assertThrows(IllegalArgumentException.class, () -> layer("Conv2D", "{\"filters\": 0, \"kernel_size\": 3}"));
        assertThrows(IllegalArgumentException.class, () -> layer("Conv2D", "{\"filters\": 3, \"kernel_size\": 3, \"groups\": 2}"));
        assertThrows(IllegalArgumentException.class, () -> layer("Conv2D", "{\"filters\": 4, \"kernel_size\": 3, \"padding\": \"causal\"}"));
        assertThrows(IllegalArgumentException.class, () -> layer("Conv2D", "{\"filters\": 4, \"kernel_size\": [3]}"));
        assertThrows(ShapeException.class, () -> layer("Conv2D", "{\"filters\": 4, \"kernel_size\": 5}").outputShape(new long[] {3, 3, 1}));
        assertEquals(List.of(4, 3), List.of(new Conv2D(4, 3, "relu").filters(), 3));
    }
}
