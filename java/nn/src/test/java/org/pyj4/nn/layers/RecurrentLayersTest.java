package org.pyj4.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pyj4.nn.LayerTesting.layer;
import static org.pyj4.nn.LayerTesting.maxRelativeError;
import static org.pyj4.nn.LayerTesting.randomizeWeights;
import static org.pyj4.nn.LayerTesting.uniform;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.GradCheck;
import org.pyj4.nn.LayerTesting;
import org.pyj4.nn.Naive;
import org.pyj4.nn.autograd.ElementwiseOps;
import org.pyj4.nn.autograd.ReductionOps;
import org.pyj4.nn.autograd.Variable;

/** LSTM and GRU: Keras' formulas step by step, gradients through outputs and states, go_backwards, both backends. */
class RecurrentLayersTest {
    private static final String F64 = "\"dtype\": \"float64\"";

    private static double[] weights(Layer l, int i) { return l.weights().get(i).value().toDoubleArray(); }

    /** h of every step, [b, t, u], from the layer's own weights. */
    private static double[] naive(Layer l, boolean lstm, NDArray x, int units) {
        long[] s = x.shape();
        double[] xs = x.toDoubleArray();
        return lstm ? Naive.lstm(xs, (int) s[0], (int) s[1], (int) s[2], weights(l, 0), weights(l, 1), weights(l, 2), units)[0]
                : Naive.gru(xs, (int) s[0], (int) s[1], (int) s[2], weights(l, 0), weights(l, 1), weights(l, 2), units);
    }

    /** The last step of a [b, t, u] sequence. */
    private static double[] lastStep(double[] seq, int b, int t, int u) {
        double[] out = new double[b * u];
        for (int r = 0; r < b; r++) System.arraycopy(seq, (r * t + t - 1) * u, out, r * u, u);
        return out;
    }

    @Test void forwardFollowsKerasFormulas() {
        for (String cls : new String[] {"LSTM", "GRU"}) {
            for (boolean sequences : new boolean[] {false, true}) {
                try (MemoryScope s = MemoryScope.open();
                     Layer rnn = layer(cls, "{\"units\": 3, \"return_sequences\": " + sequences + ", " + F64 + "}")) {
                    NDArray x = uniform(1, -1, 1, 2, 5, 4);
                    rnn.build(new long[] {5, 4});
                    randomizeWeights(rnn, 2, 0.6);
                    double[] seq = naive(rnn, cls.equals("LSTM"), x, 3);
                    double[] want = sequences ? seq : lastStep(seq, 2, 5, 3);
                    NDArray y = rnn.apply(Variable.constant(x), false).value();
                    assertArrayEquals(sequences ? new long[] {2, 5, 3} : new long[] {2, 3}, y.shape());
                    assertTrue(maxRelativeError(y.toDoubleArray(), want) < 1e-12, cls + " return_sequences=" + sequences);
                    if (LayerTesting.cpuAvailable()) {
                        double[] cpu = LayerTesting.on("cpu", () -> rnn.apply(Variable.constant(x), false).value().toDoubleArray());
                        assertTrue(maxRelativeError(cpu, want) < 1e-12, cls + " on cpu, return_sequences=" + sequences);
                    }
                }
            }
        }
    }

    @Test void kerasDefaultsAndInitializers() {
        Layer lstm = layer("LSTM", "{\"name\": \"lstm\", \"units\": 4}");
        lstm.build(new long[] {7, 3});
        assertEquals(List.of("lstm/kernel", "lstm/recurrent_kernel", "lstm/bias"), lstm.weights().stream().map(p -> p.name()).toList());
        assertArrayEquals(new long[] {3, 16}, lstm.weights().get(0).shape());
        double[] bias = weights(lstm, 2);
        for (int i = 0; i < 16; i++) assertEquals(i >= 4 && i < 8 ? 1.0 : 0.0, bias[i], 0, "unit_forget_bias");
        // Orthogonal recurrent kernel: U U^T = I (4 x 16 has orthonormal rows).
        NDArray u = lstm.weights().get(1).value();
        assertArrayEquals(NDArray.eye(4, 4, 0, u.dtype()).toDoubleArray(), u.matmul(u.transpose()).toDoubleArray(), 1e-5);
        JsonObject c = lstm.getConfig();
        assertEquals("tanh", c.get("activation").getAsString());
        assertEquals("Orthogonal", c.getAsJsonObject("recurrent_initializer").get("class_name").getAsString());
        Layer gru = layer("GRU", "{\"units\": 2}");
        gru.build(new long[] {4, 3});
        assertArrayEquals(new long[] {2, 6}, gru.weights().get(2).shape());
        assertThrows(IllegalArgumentException.class, () -> layer("GRU", "{\"units\": 2, \"reset_after\": false}"));
        assertThrows(IllegalArgumentException.class, () -> layer("LSTM", "{\"units\": 2, \"activation\": \"relu\"}"));
        assertThrows(IllegalArgumentException.class, () -> layer("LSTM", "{\"units\": 2, \"dropout\": 0.5}"));
    }

    @Test void gradientsThroughSequencesAndStates() {
        for (String cls : new String[] {"LSTM", "GRU"}) {
            for (int variant = 0; variant < 3; variant++) {
                boolean sequences = variant == 1, backwards = variant == 2;
                String cfg = "{\"units\": 2, \"return_sequences\": " + sequences + ", \"return_state\": true, \"go_backwards\": " + backwards + ", " + F64 + "}";
                try (MemoryScope s = MemoryScope.open(); Layer rnn = layer(cls, cfg)) {
                    NDArray x = uniform(3 + variant, -1, 1, 2, 3, 2);
                    rnn.build(new long[] {3, 2});
                    randomizeWeights(rnn, 5 + variant, 0.7);
                    // Every output feeds the checked value: the sequence (or last h) and each state.
                    java.util.function.Function<Variable, Variable> all = in -> {
                        List<Variable> outs = rnn.applyAll(List.of(in), null, true);
                        Variable sum = ReductionOps.sum(ElementwiseOps.mul(outs.get(0), Variable.constant(uniform(11, -1, 1, outs.get(0).shape()))));
                        for (int k = 1; k < outs.size(); k++) {
                            sum = ElementwiseOps.add(sum, ReductionOps.sum(ElementwiseOps.mul(outs.get(k), Variable.constant(uniform(12 + k, -1, 1, outs.get(k).shape())))));
                        }
                        return sum;
                    };
                    GradCheck.check(cls + " " + cfg + " (input)", v -> all.apply(v.get(0)), 1e-6, x);
                    GradCheck.checkParameters(cls + " " + cfg, () -> all.apply(Variable.constant(x)), rnn.weights(), 1e-6);
                    if (LayerTesting.cpuAvailable()) {
                        double[] java = gradient(all, x), cpu = LayerTesting.on("cpu", () -> gradient(all, x));
                        assertTrue(maxRelativeError(cpu, java) < 1e-12, cls + " " + cfg + ": cpu gradient");
                    }
                }
            }
        }
    }

    private static double[] gradient(java.util.function.Function<Variable, Variable> f, NDArray x) {
        try (MemoryScope s = MemoryScope.open()) {
            Variable in = Variable.leaf(x);
            f.apply(in).backward();
            return in.grad().toDoubleArray();
        }
    }

    @Test void returnStateGivesTheFinalStates() {
        try (MemoryScope s = MemoryScope.open(); Layer lstm = layer("LSTM", "{\"units\": 3, \"return_state\": true, " + F64 + "}")) {
            NDArray x = uniform(8, -1, 1, 2, 4, 2);
            lstm.build(new long[] {4, 2});
            randomizeWeights(lstm, 1, 0.5);
            List<Variable> outs = lstm.applyAll(List.of(Variable.constant(x)), null, false);
            assertEquals(3, outs.size());
            double[][] want = Naive.lstm(x.toDoubleArray(), 2, 4, 2, weights(lstm, 0), weights(lstm, 1), weights(lstm, 2), 3);
            assertArrayEquals(lastStep(want[0], 2, 4, 3), outs.get(1).value().toDoubleArray(), 1e-12);
            assertArrayEquals(want[1], outs.get(2).value().toDoubleArray(), 1e-12);
            assertArrayEquals(outs.get(1).value().toDoubleArray(), outs.get(0).value().toDoubleArray(), 0);
            assertEquals(3, lstm.outputShapes(List.of(new long[] {4, 2}), null).size());
            assertThrows(IllegalArgumentException.class, () -> lstm.apply(Variable.constant(x), false), "several outputs need a functional model");
        }
    }
}
