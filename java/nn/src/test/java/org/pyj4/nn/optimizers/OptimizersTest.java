package org.pyj4.nn.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pyj4.backend.Backends;
import org.pyj4.backend.OptimizerKind;
import org.pyj4.backend.Tensor;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.Parameter;
import org.pyj4.nn.autograd.ReductionOps;
import org.pyj4.nn.autograd.Variable;

/** The first updates of every optimizer against the Keras 3 formulas, worked out here in plain Java. */
class OptimizersTest {
    private static String previous;

    @BeforeAll static void referenceBackend() {
        previous = Backends.getDefault().name();
        Backends.setDefault("java");
    }

    @AfterAll static void restore() { Backends.setDefault(previous); }

    private static final double[] P0 = {1.0, -2.0, 0.5};
    private static final double[][] G = {{0.5, -1.0, 0.0}, {0.1, 0.3, -0.2}, {-0.4, 0.2, 0.9}};

    /** Runs the optimizer for G.length steps on a float64 parameter whose gradients are G; returns the values after each. */
    private static double[][] run(Optimizer opt, DType dtype) {
        double[][] out = new double[G.length][];
        try (Parameter p = new Parameter("w/kernel", NDArray.create(P0, 3).astype(dtype), true)) {
            for (int s = 0; s < G.length; s++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    // d/dp sum(p * g) = g
                    Variable loss = ReductionOps.sum(ElementwiseOps.mul(p, Variable.constant(NDArray.create(G[s], 3).astype(dtype))));
                    loss.backward();
                    opt.apply(List.of(p));
                }
                out[s] = p.value().toDoubleArray();
            }
        } finally {
            opt.close();
        }
        return out;
    }

    private static void assertSteps(double[][] expected, double[][] actual, double tol) {
        for (int s = 0; s < expected.length; s++) assertArrayEquals(expected[s], actual[s], tol, "after step " + (s + 1));
    }

    private static Optimizer parse(String json) { return Optimizers.fromJson(JsonParser.parseString(json)); }

    @Test void sgdPlainMomentumAndNesterov() {
        for (double momentum : new double[] {0, 0.9}) {
            for (boolean nesterov : new boolean[] {false, true}) {
                double lr = 0.1;
                double[] p = P0.clone(), v = new double[3];
                double[][] expected = new double[G.length][];
                for (int s = 0; s < G.length; s++) {
                    for (int i = 0; i < 3; i++) {
                        double g = G[s][i];
                        if (momentum == 0) {
                            p[i] -= lr * g;
                        } else {
                            v[i] = momentum * v[i] - lr * g;
                            p[i] += nesterov ? momentum * v[i] - lr * g : v[i];
                        }
                    }
                    expected[s] = p.clone();
                }
                assertSteps(expected, run(new SGD(lr, momentum, nesterov), DType.FLOAT64), 1e-12);
            }
        }
    }

    /** Keras' Adam: alpha = lr sqrt(1 - b2^t) / (1 - b1^t); p -= alpha m / (sqrt(v) + eps). */
    private static double[][] adamByHand(double lr, double b1, double b2, double eps, double wd, boolean amsgrad) {
        double[] p = P0.clone(), m = new double[3], v = new double[3], vhat = new double[3];
        double[][] expected = new double[G.length][];
        for (int s = 0; s < G.length; s++) {
            int t = s + 1;
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            for (int i = 0; i < 3; i++) {
                double g = G[s][i];
                p[i] -= p[i] * wd * lr;
                m[i] += (g - m[i]) * (1 - b1);
                v[i] += (g * g - v[i]) * (1 - b2);
                vhat[i] = Math.max(vhat[i], v[i]);
                p[i] -= alpha * m[i] / (Math.sqrt(amsgrad ? vhat[i] : v[i]) + eps);
            }
            expected[s] = p.clone();
        }
        return expected;
    }

    @Test void adamAmsgradAndAdamW() {
        assertSteps(adamByHand(0.01, 0.9, 0.999, 1e-7, 0, false), run(new Adam(0.01), DType.FLOAT64), 1e-12);
        assertSteps(adamByHand(0.01, 0.8, 0.99, 1e-3, 0, true),
                run(parse("{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": 0.01, \"beta_1\": 0.8, \"beta_2\": 0.99, \"epsilon\": 0.001, \"amsgrad\": true}}"),
                        DType.FLOAT64), 1e-12);
        assertSteps(adamByHand(0.01, 0.9, 0.999, 1e-7, 0.004, false), run(new AdamW(0.01, 0.004), DType.FLOAT64), 1e-12);
        assertEquals(AdamW.class, parse("\"adamw\"").getClass());
    }

    @Test void adamOnFloat32MatchesWithinFloatRounding() {
        assertSteps(adamByHand(0.01, 0.9, 0.999, 1e-7, 0, false), run(new Adam(0.01), DType.FLOAT32), 1e-6);
    }

    @Test void rmspropVariants() {
        for (double momentum : new double[] {0, 0.5}) {
            for (boolean centered : new boolean[] {false, true}) {
                double lr = 0.01, rho = 0.9, eps = 1e-7;
                double[] p = P0.clone(), v = new double[3], mb = new double[3], avg = new double[3];
                double[][] expected = new double[G.length][];
                for (int s = 0; s < G.length; s++) {
                    for (int i = 0; i < 3; i++) {
                        double g = G[s][i];
                        v[i] = rho * v[i] + (1 - rho) * g * g;
                        double denominator = v[i] + eps;
                        if (centered) {
                            avg[i] = rho * avg[i] + (1 - rho) * g;
                            denominator = v[i] - avg[i] * avg[i] + eps;
                        }
                        double inc = lr * g / Math.sqrt(denominator);
                        if (momentum > 0) {
                            mb[i] = momentum * mb[i] + inc;
                            p[i] -= mb[i];
                        } else {
                            p[i] -= inc;
                        }
                    }
                    expected[s] = p.clone();
                }
                Optimizer o = parse("{\"class_name\": \"RMSprop\", \"config\": {\"learning_rate\": 0.01, \"momentum\": " + momentum
                        + ", \"centered\": " + centered + "}}");
                assertSteps(expected, run(o, DType.FLOAT64), 1e-12);
            }
        }
    }

    @Test void adagrad() {
        double lr = 0.1, eps = 1e-7;
        double[] p = P0.clone(), acc = {0.1, 0.1, 0.1};
        double[][] expected = new double[G.length][];
        for (int s = 0; s < G.length; s++) {
            for (int i = 0; i < 3; i++) {
                acc[i] += G[s][i] * G[s][i];
                p[i] -= lr * G[s][i] / Math.sqrt(acc[i] + eps);
            }
            expected[s] = p.clone();
        }
        assertSteps(expected, run(new Adagrad(lr), DType.FLOAT64), 1e-12);
    }

    @Test void clipnormAndClipvalue() {
        // clipnorm 0.5 on the first gradient (norm sqrt(1.25)) scales it by 0.5 / sqrt(1.25); SGD lr 1 then subtracts it.
        double[][] clipped = run(parse("{\"class_name\": \"SGD\", \"config\": {\"learning_rate\": 1.0, \"clipnorm\": 0.5}}"), DType.FLOAT64);
        double f = 0.5 / Math.sqrt(1.25);
        assertArrayEquals(new double[] {1 - 0.5 * f, -2 + f, 0.5}, clipped[0], 1e-12);
        double[][] byValue = run(parse("{\"class_name\": \"SGD\", \"config\": {\"learning_rate\": 1.0, \"clipvalue\": 0.25}}"), DType.FLOAT64);
        assertArrayEquals(new double[] {0.75, -1.75, 0.5}, byValue[0], 1e-12);
    }

    @Test void schedules() {
        ExponentialDecay e = new ExponentialDecay(0.1, 10, 0.5, false);
        assertEquals(0.1 * Math.pow(0.5, 0.3), e.at(3), 1e-15);
        assertEquals(0.1, new ExponentialDecay(0.1, 10, 0.5, true).at(9), 1e-15);
        assertEquals(0.05, new ExponentialDecay(0.1, 10, 0.5, true).at(10), 1e-15);
        CosineDecay c = new CosineDecay(0.1, 100, 0.1, null, 0);
        assertEquals(0.1 * (0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.25)) + 0.1), c.at(25), 1e-15);
        assertEquals(0.01, c.at(1000), 1e-15);
        CosineDecay warm = new CosineDecay(0.0, 100, 0.0, 0.2, 10);
        assertEquals(0.1, warm.at(5), 1e-15);
        assertEquals(0.2, warm.at(10), 1e-15);
        PiecewiseConstantDecay pc = new PiecewiseConstantDecay(new double[] {10, 20}, new double[] {1, 0.5, 0.1});
        assertEquals(1, pc.at(10));
        assertEquals(0.5, pc.at(11));
        assertEquals(0.1, pc.at(21));
        // A schedule drives the optimizer by its update count.
        Optimizer o = parse("{\"class_name\": \"SGD\", \"config\": {\"learning_rate\": {\"class_name\": \"PiecewiseConstantDecay\", "
                + "\"config\": {\"boundaries\": [0], \"values\": [1.0, 0.5]}}}}");
        double[][] steps = run(o, DType.FLOAT64);
        assertArrayEquals(new double[] {0.5, -1.0, 0.5}, steps[0], 1e-12);
        assertArrayEquals(new double[] {0.45, -1.15, 0.6}, steps[1], 1e-12);
    }

    @Test void configRoundTripAndErrors() {
        Optimizer a = parse("{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": 0.002, \"beta_1\": 0.8}}");
        Optimizer b = Optimizers.fromJson(a.toJson());
        assertEquals(a.toJson(), b.toJson());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("\"adadelta\""));
        assertEquals("compile: unknown optimizer. Expected one of SGD, Adam, AdamW, RMSprop, Adagrad. Received: optimizer='adadelta'", e.getMessage());
    }

    @Test void theSpiPrimitiveValidatesBeforeWriting() {
        try (MemoryScope s = MemoryScope.open()) {
            NDArray p = NDArray.create(new double[] {1, 2}, 2), g = NDArray.create(new double[] {1, 1}, 2);
            Tensor[] none = new Tensor[0];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> p.backend().optimizerStep(OptimizerKind.ADAM, p.tensor(), g.tensor(), none, new double[] {0.1, 0, 0.9, 0.999, 1e-7, 1, 0}));
            assertEquals("optimizerStep ADAM: expected 2 state tensors for hyper [0.1, 0.0, 0.9, 0.999, 1.0E-7, 1.0, 0.0]. Received: 0", e.getMessage());
            assertArrayEquals(new double[] {1, 2}, p.toDoubleArray());
            assertThrows(IllegalArgumentException.class,
                    () -> p.backend().optimizerStep(OptimizerKind.SGD, p.tensor(), p.tensor(), none, new double[] {0.1, 0, 0, 0}));
        }
    }
}
