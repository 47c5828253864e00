package org.pyj4.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pyj4.nn.GradCheck.check;
import static org.pyj4.nn.GradCheck.checkParameters;
import static org.pyj4.nn.GradCheck.values;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pyj4.backend.Backends;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.Random;
import org.pyj4.nn.autograd.Variable;
import org.pyj4.nn.config.Config;

/** Layers: gradients (inputs and weights) against finite differences, the build lifecycle, configs, initializers. */
class LayersTest {
    private static String previous;

    @BeforeAll static void referenceBackend() {
        previous = Backends.getDefault().name();
        Backends.setDefault("java");
    }

    @AfterAll static void restore() { Backends.setDefault(previous); }

    private static Layer layer(String json) { return Layers.fromJson(JsonParser.parseString(json)); }

    @Test void activationsHaveTheirGradients() {
        for (ActivationFunction a : ActivationFunction.values()) {
            check("activation " + a.kerasName(), v -> a.apply(v.get(0)), values(3, 4).mul(1.3));
        }
    }

    @Test void activationValues() {
        try (MemoryScope s = MemoryScope.open()) {
            Variable x = Variable.constant(NDArray.create(new double[] {-2, 0.5}, 2));
            assertArrayEquals(new double[] {-0.4, 0.5}, ActivationFunction.LEAKY_RELU.apply(x).value().toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {Math.expm1(-2), 0.5}, ActivationFunction.ELU.apply(x).value().toDoubleArray(), 1e-15);
            double phi = 0.5 * (1 + erf(0.5 / Math.sqrt(2)));
            assertEquals(0.5 * phi, ActivationFunction.GELU.apply(x).value().toDoubleArray()[1], 1e-12);
        }
    }

    /** erf by its series, good to 1e-15 near 0. */
    private static double erf(double x) {
        double sum = 0, term = x;
        for (int n = 0; n < 40; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test void denseGradientsForEveryActivation() {
        for (String act : new String[] {"linear", "relu", "sigmoid", "tanh", "softmax", "gelu", "leaky_relu", "elu"}) {
            Layer dense = layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 3, \"activation\": \"" + act
                    + "\", \"dtype\": \"float64\", \"kernel_initializer\": {\"class_name\": \"RandomNormal\", \"config\": {\"stddev\": 0.7, \"seed\": 4}},"
                    + " \"bias_initializer\": {\"class_name\": \"RandomUniform\", \"config\": {\"seed\": 5}}}}");
            dense.build(new long[] {4});
            check("dense " + act + " d/d input", v -> dense.apply(v.get(0), true), values(5, 4));
            NDArray x = values(5, 4);
            checkParameters("dense " + act, () -> dense.apply(Variable.constant(x), true), dense.weights(), 1e-6);
        }
    }

    @Test void shapeLayersAndDropoutGradients() {
        // float64 layers: the default float32 would round the finite differences away.
        Layer flatten = layer("{\"class_name\": \"Flatten\", \"config\": {\"dtype\": \"float64\"}}");
        Layer reshape = layer("{\"class_name\": \"Reshape\", \"config\": {\"target_shape\": [3, -1], \"dtype\": \"float64\"}}");
        Layer tanh = layer("{\"class_name\": \"Activation\", \"config\": {\"activation\": \"tanh\", \"dtype\": \"float64\"}}");
        check("flatten", v -> flatten.apply(v.get(0), true), values(2, 3, 2));
        check("reshape", v -> reshape.apply(v.get(0), true), values(2, 3, 2));
        check("activation layer", v -> tanh.apply(v.get(0), true), values(2, 3));
        Layer dropout = layer("{\"class_name\": \"Dropout\", \"config\": {\"rate\": 0.5, \"seed\": 3, \"dtype\": \"float64\"}}");
        // Same mask for every evaluation of the check: reset the counter each time.
        check("dropout", v -> {
            JsonObject st = new JsonObject();
            st.addProperty("seed", 3);
            st.addProperty("counter", 0);
            dropout.setState(st);
            return dropout.apply(v.get(0), true);
        }, values(4, 5));
    }

    @Test void dropoutScalesKeptUnitsAndIsInactiveAtInference() {
        try (MemoryScope s = MemoryScope.open()) {
            Dropout d = new Dropout(0.25);
            NDArray ones = NDArray.ones(DType.FLOAT32, 2000);
            double[] out = d.apply(Variable.constant(ones), true).value().toDoubleArray();
            int zeros = 0;
            for (double v : out) {
                if (v == 0) zeros++;
                else assertEquals(1 / 0.75, v, 1e-6);
            }
            assertEquals(0.25, zeros / 2000.0, 0.04);
            assertArrayEquals(ones.toDoubleArray(), d.apply(Variable.constant(ones), false).value().toDoubleArray());
        }
    }

    @Test void lifecycleAndConfigRoundTrip() {
        Dense d = (Dense) layer("{\"class_name\": \"Dense\", \"config\": {\"name\": \"hidden\", \"units\": 4, \"activation\": \"relu\", \"use_bias\": false}}");
        assertTrue(!d.isBuilt() && d.weights().isEmpty());
        d.build(new long[] {3});
        assertEquals(1, d.weights().size());
        assertArrayEquals(new long[] {3, 4}, d.weights().get(0).shape());
        assertEquals("hidden/kernel", d.weights().get(0).name());
        JsonObject config = d.getConfig();
        Layer again = Layers.fromJson(Config.classAndConfig("Dense", config));
        assertEquals(config, again.getConfig());
        // Keras' serialised activation form and dtype policy are accepted too.
        Layer keras3 = layer("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"activation\": {\"module\": \"keras.activations\", "
                + "\"class_name\": \"function\", \"config\": \"tanh\"}, \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", "
                + "\"config\": {\"name\": \"float64\"}}, \"kernel_regularizer\": null}}");
        assertEquals(ActivationFunction.TANH, ((Dense) keras3).activation());
        assertEquals(DType.FLOAT64, keras3.dtype());
        d.close();
    }

    @Test void configErrorsNameWhatWasReceived() {
        assertEquals("Dense: expected units > 0. Received: units=0",
                assertThrows(IllegalArgumentException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"units\": 0}}")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> layer("{\"class_name\": \"Conv9D\", \"config\": {}}"))
                .getMessage().contains("Received: class_name='Conv9D'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"activation\": \"swishy\"}}"))
                .getMessage().contains("Received: activation='swishy'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> layer("{\"class_name\": \"Dropout\", \"config\": {\"rate\": 1.5}}"))
                .getMessage().contains("rate=1.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> layer("{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"kernel_regularizer\": \"l2\"}}"))
                .getMessage().contains("kernel_regularizer"));
    }

    @Test void initializersFollowKerasFormulasAndSeeds() {
        try (MemoryScope s = MemoryScope.open()) {
            long[] shape = {400, 100};
            double limit = Math.sqrt(6.0 / 500);
            double[] gu = VarianceScaling.glorotUniform(1L).create(shape, DType.FLOAT64).toDoubleArray();
            double max = 0;
            for (double v : gu) max = Math.max(max, Math.abs(v));
            assertTrue(max <= limit && max > 0.99 * limit, "glorot_uniform within its limit: " + max);
            assertArrayEquals(gu, VarianceScaling.glorotUniform(1L).create(shape, DType.FLOAT64).toDoubleArray(), "same seed, same values");
            double[] hn = VarianceScaling.heNormal(2L).create(shape, DType.FLOAT64).toDoubleArray();
            double std = 0, bound = 2 * Math.sqrt(2.0 / 400) / 0.87962566103423978;
            for (double v : hn) {
                std += v * v;
                assertTrue(Math.abs(v) <= bound, "truncated at two standard deviations");
            }
            assertEquals(Math.sqrt(2.0 / 400), Math.sqrt(std / hn.length), 0.05 * Math.sqrt(2.0 / 400));
            double[] hu = VarianceScaling.heUniform(3L).create(shape, DType.FLOAT64).toDoubleArray();
            for (double v : hu) assertTrue(Math.abs(v) <= Math.sqrt(6.0 / 400));
            double[] gn = VarianceScaling.glorotNormal(3L).create(shape, DType.FLOAT64).toDoubleArray();
            double var = 0;
            for (double v : gn) var += v * v;
            assertEquals(Math.sqrt(2.0 / 500), Math.sqrt(var / gn.length), 0.05 * Math.sqrt(2.0 / 500));
            assertArrayEquals(new double[] {1, 1}, SimpleInitializer.ones().create(new long[] {2}, DType.FLOAT32).toDoubleArray());
            assertArrayEquals(new double[] {0, 0}, SimpleInitializer.zeros().create(new long[] {2}, DType.FLOAT32).toDoubleArray());
            double[] rn = SimpleInitializer.randomNormal(1.0, 0.01, 9L).create(new long[] {1000}, DType.FLOAT64).toDoubleArray();
            assertEquals(1.0, java.util.Arrays.stream(rn).average().orElse(0), 0.003);
            for (double v : SimpleInitializer.randomUniform(2, 3, 9L).create(new long[] {100}, DType.FLOAT64).toDoubleArray()) assertTrue(v >= 2 && v < 3);
            // A null seed follows the global generator.
            Random.seed(42);
            double[] a = VarianceScaling.glorotUniform(null).create(new long[] {3, 3}, DType.FLOAT32).toDoubleArray();
            Random.seed(42);
            assertArrayEquals(a, VarianceScaling.glorotUniform(null).create(new long[] {3, 3}, DType.FLOAT32).toDoubleArray());
            assertNotEquals(a[0], VarianceScaling.glorotUniform(null).create(new long[] {3, 3}, DType.FLOAT32).toDoubleArray()[0]);
        }
    }
}
