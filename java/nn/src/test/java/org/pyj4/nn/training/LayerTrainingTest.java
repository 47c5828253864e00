package org.pyj4.nn.training;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.Functional;
import org.pyj4.nn.LayerTesting;
import org.pyj4.nn.Model;
import org.pyj4.nn.Sequential;
import org.pyj4.nn.functional.SymbolicTensor;
import org.pyj4.nn.layers.Add;
import org.pyj4.nn.layers.BatchNormalization;
import org.pyj4.nn.layers.Conv2D;
import org.pyj4.nn.layers.Dense;
import org.pyj4.nn.layers.Embedding;
import org.pyj4.nn.layers.Flatten;
import org.pyj4.nn.layers.GRU;
import org.pyj4.nn.layers.InputLayer;
import org.pyj4.nn.layers.LSTM;
import org.pyj4.nn.layers.LayerNormalization;
import org.pyj4.nn.layers.MaxPooling2D;
import org.pyj4.nn.layers.MultiHeadAttention;

/**
 * Real models learn: a small CNN on synthetic images, an LSTM and a GRU on a memory task, a
 * transformer encoder block (functional, residual) on a token task. On the native CPU backend at a
 * useful size, and a few steps of the CNN and the LSTM on the reference backend.
 */
class LayerTrainingTest {
    /** 12x12x1 images with a horizontal bar, a vertical bar or a diagonal (classes 0, 1, 2), plus noise. */
    static NDArray[] bars(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 144];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(3), at = 2 + r.nextInt(8);
            y[i] = k;
            for (int p = 0; p < 144; p++) x[i * 144 + p] = (float) (r.nextGaussian() * 0.3);
            for (int j = 0; j < 12; j++) {
                int row = k == 0 ? at : k == 1 ? j : j, col = k == 0 ? j : k == 1 ? at : j;
                x[i * 144 + row * 12 + col] += 1.5f;
            }
        }
        return new NDArray[] {NDArray.create(x, n, 12, 12, 1), NDArray.create(y, n)};
    }

    private static Model cnn() {
        return new Sequential(List.of(new InputLayer(12, 12, 1), new Conv2D(8, 3, "relu"), new MaxPooling2D(2), new Conv2D(16, 3, "same", "relu"),
                new BatchNormalization(), new MaxPooling2D(2), new Flatten(), new Dense(3, "softmax")));
    }

    private static List<Double> fit(Model m, NDArray[] d, int batch, int epochs, double lr, String loss) {
        m.compile("{\"optimizer\": {\"class_name\": \"Adam\", \"config\": {\"learning_rate\": " + lr + "}}, \"loss\": \"" + loss + "\", \"metrics\": [\"accuracy\"]}");
        return m.fit(d[0], d[1], new FitOptions().batchSize(batch).epochs(epochs).seed(0L).verbose(0), List.of()).history().get("loss");
    }

    private static double accuracy(Model m, NDArray[] d) { return m.evaluate(d[0], d[1], 128).get("accuracy"); }

    @Test void aSmallCnnLearnsToTellBarsApartOnTheCpuBackend() {
        assumeTrue(LayerTesting.cpuAvailable(), "the native CPU backend is not built");
        LayerTesting.on("cpu", () -> {
            org.pyj4.ndarray.Random.seed(1);
            NDArray[] train = bars(768, 1), test = bars(256, 2);
            try (Model m = cnn()) {
                List<Double> loss = fit(m, train, 32, 4, 0.01, "sparse_categorical_crossentropy");
                assertTrue(loss.get(3) < 0.5 * loss.get(0), "loss " + loss);
                double acc = accuracy(m, test);
                assertTrue(acc > 0.9, "test accuracy " + acc + ", loss " + loss);
            }
            return null;
        });
    }

    @Test void theCnnTrainsOnTheReferenceBackendToo() {
        org.pyj4.ndarray.Random.seed(2);
        NDArray[] train = bars(96, 3);
        try (Model m = cnn()) {
            List<Double> loss = fit(m, train, 32, 3, 0.01, "sparse_categorical_crossentropy");
            assertTrue(loss.get(2) < loss.get(0), "loss " + loss);
        }
    }

    /** Sequences of +-1 whose label is their first element (1 for +1): the network must remember 10 steps. */
    static NDArray[] firstElement(int n, int steps, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * steps];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps; t++) x[i * steps + t] = r.nextBoolean() ? 1 : -1;
            y[i] = x[i * steps] > 0 ? 1 : 0;
        }
        return new NDArray[] {NDArray.create(x, n, steps, 1), NDArray.create(y, n, 1)};
    }

    private static void learnsToRemember(String backend, boolean lstm, int n, int epochs, double minAccuracy) {
        LayerTesting.on(backend, () -> {
            org.pyj4.ndarray.Random.seed(3);
            NDArray[] train = firstElement(n, 10, 4), test = firstElement(256, 10, 5);
            try (Model m = new Sequential(List.of(new InputLayer(10, 1), lstm ? new LSTM(16) : new GRU(16), new Dense(1, "sigmoid")))) {
                List<Double> loss = fit(m, train, 32, epochs, 0.02, "binary_crossentropy");
                assertTrue(loss.get(epochs - 1) < loss.get(0), (lstm ? "LSTM" : "GRU") + " loss " + loss);
                if (minAccuracy > 0) {
                    double acc = accuracy(m, test);
                    assertTrue(acc >= minAccuracy, (lstm ? "LSTM" : "GRU") + " test accuracy " + acc + ", loss " + loss);
                }
            }
            return null;
        });
    }

    @Test void anLstmAndAGruLearnASequenceTaskOnTheCpuBackend() {
        assumeTrue(LayerTesting.cpuAvailable(), "the native CPU backend is not built");
        learnsToRemember("cpu", true, 1024, 8, 0.95);
        learnsToRemember("cpu", false, 1024, 8, 0.95);
    }

    @Test void recurrentLayersTrainOnTheReferenceBackendToo() {
        learnsToRemember("java", true, 128, 3, 0);
        learnsToRemember("java", false, 128, 3, 0);
    }

    /** Token sequences; label 1 when token 3 appears before token 7 somewhere (both are always present). */
    static NDArray[] order(int n, int steps, long seed) {
        Random r = new Random(seed);
        int[] x = new int[n * steps];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps; t++) x[i * steps + t] = r.nextInt(10);
            int a = r.nextInt(steps), b = r.nextInt(steps - 1);
            if (b >= a) b++;
            for (int t = 0; t < steps; t++) if (x[i * steps + t] == 3 || x[i * steps + t] == 7) x[i * steps + t] = 5;
            x[i * steps + a] = 3;
            x[i * steps + b] = 7;
            y[i] = a < b ? 1 : 0;
        }
        return new NDArray[] {NDArray.create(x, n, steps), NDArray.create(y, n)};
    }

    /** Embedding + positional weights -> attention + residual + LayerNorm -> MLP + residual + LayerNorm -> softmax. */
    static Functional encoder(int steps, int dim) {
        SymbolicTensor tokens = Functional.input(new long[] {steps}, DType.INT32);
        SymbolicTensor emb = new Embedding(10, dim).call(tokens);
        SymbolicTensor pos = new Dense(dim, null).call(new Flatten().call(emb));  // order information, mixed back per step below
        SymbolicTensor h = new Add().call(emb, new org.pyj4.nn.layers.Reshape(1, dim).call(pos));
        SymbolicTensor attn = new MultiHeadAttention(2, 8).call(h, h);
        SymbolicTensor x1 = new LayerNormalization().call(new Add().call(h, attn));
        SymbolicTensor mlp = new Dense(dim, null).call(new Dense(2 * dim, "relu").call(x1));
        SymbolicTensor x2 = new LayerNormalization().call(new Add().call(x1, mlp));
        SymbolicTensor out = new Dense(2, "softmax").call(new Flatten().call(x2));
        return new Functional(tokens, out);
    }

    @Test void aTransformerEncoderBlockTrains() {
        String backend = LayerTesting.cpuAvailable() ? "cpu" : "java";
        LayerTesting.on(backend, () -> {
            org.pyj4.ndarray.Random.seed(4);
            int n = backend.equals("cpu") ? 1024 : 128;
            NDArray[] train = order(n, 6, 6), test = order(256, 6, 7);
            try (Model m = encoder(6, 16)) {
                List<Double> loss = fit(m, train, 32, backend.equals("cpu") ? 10 : 2, 0.005, "sparse_categorical_crossentropy");
                assertTrue(loss.get(loss.size() - 1) < 0.8 * loss.get(0), "loss " + loss);
                if (backend.equals("cpu")) {
                    double acc = accuracy(m, test);
                    assertTrue(acc > 0.8, "test accuracy " + acc + ", loss " + loss);
                }
            }
            return null;
        });
    }
}
