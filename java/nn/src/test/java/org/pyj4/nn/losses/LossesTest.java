package org.pyj4.nn.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pyj4.nn.GradCheck.check;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pyj4.backend.Backends;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.autograd.NNOps;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.layers.ActivationFunction;

/** Each loss against values worked out by hand from its formula; gradients against finite differences. */
class LossesTest {
    private static String previous;

    @BeforeAll static void referenceBackend() {
        previous = Backends.getDefault().name();
        Backends.setDefault("java");
    }

    @AfterAll static void restore() { Backends.setDefault(previous); }

    private static double value(Loss loss, NDArray pred, NDArray target) {
        try (MemoryScope s = MemoryScope.open()) {
            return loss.compute(Variable.constant(pred), target).value().getDouble();
        }
    }

    private static NDArray m(double[] v, long... shape) { return NDArray.create(v, shape); }

    @Test void regressionLosses() {
        NDArray p = m(new double[] {0.1, 0.9, 0.8, 0.3}, 2, 2), t = m(new double[] {0, 1, 1, 0}, 2, 2);
        assertEquals((0.01 + 0.01 + 0.04 + 0.09) / 4, value(new MeanSquaredError(), p, t), 1e-12);
        assertEquals((0.1 + 0.1 + 0.2 + 0.3) / 4, value(new MeanAbsoluteError(), p, t), 1e-12);
        // Huber, delta 1: |e| = 0.5 is quadratic (0.125), |e| = 2 is linear (2 - 0.5).
        assertEquals((0.125 + 1.5) / 2, value(new Huber(1.0), m(new double[] {0.5, 2}, 2, 1), m(new double[] {0, 0}, 2)), 1e-12);
    }

    @Test void binaryCrossentropy() {
        NDArray t = m(new double[] {1, 0}, 2, 1);
        double expected = -(Math.log(0.9) + Math.log(0.8)) / 2;
        assertEquals(expected, value(new BinaryCrossentropy(), m(new double[] {0.9, 0.2}, 2, 1), t), 1e-7);
        double fromLogits = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2;
        assertEquals(fromLogits, value(new BinaryCrossentropy(true, 0), m(new double[] {2, -1}, 2, 1), t), 1e-12);
        // Probabilities at 0 and 1 are clipped to 1e-7, so a confident mistake costs -log(1e-7), not infinity.
        assertEquals(-Math.log(1e-7) / 2, value(new BinaryCrossentropy(), m(new double[] {0, 0}, 2, 1), t), 1e-4);
        // Label smoothing 0.2 moves the targets to 0.9 and 0.1.
        double smoothed = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1) + 0.1 * Math.log(0.2) + 0.9 * Math.log(0.8)) / 2;
        assertEquals(smoothed, value(new BinaryCrossentropy(false, 0.2), m(new double[] {0.9, 0.2}, 2, 1), t), 1e-7);
    }

    @Test void categoricalCrossentropies() {
        NDArray p = m(new double[] {0.7, 0.2, 0.1, 0.1, 0.1, 0.8}, 2, 3);
        double expected = -(Math.log(0.7) + Math.log(0.8)) / 2;
        assertEquals(expected, value(new CategoricalCrossentropy(), p, m(new double[] {1, 0, 0, 0, 0, 1}, 2, 3)), 1e-7);
        assertEquals(expected, value(new SparseCategoricalCrossentropy(), p, NDArray.create(new long[] {0, 2}, 2)), 1e-7);
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        NDArray z = m(new double[] {1, 2, 3}, 1, 3);
        assertEquals(lse - 3, value(new CategoricalCrossentropy(true, 0), z, m(new double[] {0, 0, 1}, 1, 3)), 1e-12);
        assertEquals(lse - 1, value(new SparseCategoricalCrossentropy(true), z, NDArray.create(new long[] {0}, 1, 1)), 1e-12);
        double a = 0.1 / 3, b = 0.9 + 0.1 / 3; // label smoothing 0.1 over 3 classes
        double smoothed = -(a * Math.log(0.1) + a * Math.log(0.1) + b * Math.log(0.8));
        assertEquals(smoothed, value(new CategoricalCrossentropy(false, 0.1), m(new double[] {0.1, 0.1, 0.8}, 1, 3), m(new double[] {0, 0, 1}, 1, 3)), 1e-7);
    }

    @Test void fusedLogitPathsAgreeWithTheProbabilityPaths() {
        NDArray z = m(new double[] {0.3, -1.2, 2.0, 0.5, 0.1, -0.4}, 2, 3);
        NDArray labels = NDArray.create(new long[] {2, 0}, 2);
        try (MemoryScope s = MemoryScope.open()) {
            SparseCategoricalCrossentropy scce = new SparseCategoricalCrossentropy();
            assertTrue(scce.fusesWith(ActivationFunction.SOFTMAX));
            double fused = scce.computeFromLogits(Variable.constant(z), labels).value().getDouble();
            double plain = scce.compute(NNOps.softmax(Variable.constant(z), -1), labels).value().getDouble();
            assertEquals(plain, fused, 1e-9);
            BinaryCrossentropy bce = new BinaryCrossentropy();
            NDArray t = m(new double[] {1, 0, 1, 0, 0, 1}, 2, 3);
            assertEquals(bce.compute(Variable.constant(z.sigmoid()), t).value().getDouble(),
                    bce.computeFromLogits(Variable.constant(z), t).value().getDouble(), 1e-9);
            // Where probabilities would saturate, the logits form stays finite and exact.
            double big = bce.computeFromLogits(Variable.constant(m(new double[] {-800}, 1, 1)), m(new double[] {1}, 1, 1)).value().getDouble();
            assertEquals(800, big, 1e-9);
        }
    }

    @Test void gradientsOfEveryLoss() {
        NDArray t = m(new double[] {0, 1, 1, 0, 0.5, 1}, 2, 3);
        NDArray probs = m(new double[] {0.2, 0.7, 0.6, 0.3, 0.45, 0.8}, 2, 3);
        NDArray onehot = m(new double[] {0, 1, 0, 0, 0, 1}, 2, 3);
        NDArray labels = NDArray.create(new long[] {1, 2}, 2);
        NDArray x = m(new double[] {0.3, -1.2, 2.0, 0.5, 0.1, -0.4}, 2, 3);
        check("mse", v -> new MeanSquaredError().compute(v.get(0), t), x);
        check("mae", v -> new MeanAbsoluteError().compute(v.get(0), t), x);
        check("huber", v -> new Huber(0.5).compute(v.get(0), t), x);
        check("bce", v -> new BinaryCrossentropy().compute(v.get(0), t), probs);
        check("bce logits", v -> new BinaryCrossentropy(true, 0.1).compute(v.get(0), t), x);
        check("cce", v -> new CategoricalCrossentropy().compute(v.get(0), onehot), probs);
        check("cce logits", v -> new CategoricalCrossentropy(true, 0.1).compute(v.get(0), onehot), x);
        check("scce logits", v -> new SparseCategoricalCrossentropy(true).compute(v.get(0), labels), x);
    }

    @Test void outOfRangeLabelsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> value(new SparseCategoricalCrossentropy(), m(new double[] {0.5, 0.5}, 1, 2), NDArray.create(new long[] {12}, 1)));
        assertEquals("sparse_categorical_crossentropy: label 12 out of range for 2 classes (expected 0 <= label < 2)", e.getMessage());
    }

    @Test void registryAcceptsStringsAndClasses() {
        assertEquals("MeanSquaredError", Losses.fromJson(JsonParser.parseString("\"mse\"")).className());
        assertEquals("Huber", Losses.fromJson(JsonParser.parseString("{\"class_name\": \"Huber\", \"config\": {\"delta\": 2.0}}")).className());
        Loss l = Losses.fromJson(JsonParser.parseString("{\"class_name\": \"SparseCategoricalCrossentropy\", \"config\": {\"from_logits\": true}}"));
        assertEquals("SparseCategoricalCrossentropy", Losses.fromJson(l.toJson()).className());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.fromJson(JsonParser.parseString("\"hinge\"")));
        assertTrue(e.getMessage().contains("Received: loss='hinge'"), e.getMessage());
    }
}
