package org.pyj4.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pyj4.nn.LayerTesting.layer;
import static org.pyj4.nn.LayerTesting.maxRelativeError;
import static org.pyj4.nn.LayerTesting.randomizeWeights;
import static org.pyj4.nn.LayerTesting.uniform;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.GradCheck;
import org.pyj4.nn.LayerTesting;
import org.pyj4.nn.Naive;
import org.pyj4.nn.autograd.Variable;

/** MultiHeadAttention: Keras' computation, attention masks, the causal mask, gradients, weight layout. */
class AttentionTest {
    private static double[] w(Layer l, int i) { return l.weights().get(i).value().toDoubleArray(); }

    private static JsonObject causal(boolean on) {
        JsonObject o = new JsonObject();
        o.addProperty("use_causal_mask", on);
        return o;
    }

    @Test void matchesKerasComputationWithMasks() {
        int b = 2, tq = 3, tv = 4, dq = 5, dv = 3, heads = 2, kd = 3, vd = 2, dout = 4;
        try (MemoryScope s = MemoryScope.open();
             Layer mha = layer("MultiHeadAttention", "{\"name\": \"mha\", \"num_heads\": 2, \"key_dim\": 3, \"value_dim\": 2, \"output_shape\": 4, \"dtype\": \"float64\"}")) {
            NDArray q = uniform(1, -1, 1, b, tq, dq), v = uniform(2, -1, 1, b, tv, dv);
            double[] maskValues = new double[b * tq * tv];
            for (int i = 0; i < maskValues.length; i++) maskValues[i] = (i * 7) % 3 == 0 ? 0 : 1;
            NDArray mask = NDArray.create(maskValues, b, tq, tv);
            mha.buildAll(Arrays.asList(new long[] {tq, dq}, new long[] {tv, dv}));
            assertEquals(List.of("mha/query/kernel", "mha/query/bias", "mha/key/kernel", "mha/key/bias", "mha/value/kernel", "mha/value/bias",
                    "mha/attention_output/kernel", "mha/attention_output/bias"), mha.weights().stream().map(p -> p.name()).toList());
            assertArrayEquals(new long[] {dv, heads, kd}, mha.weights().get(2).shape());
            assertArrayEquals(new long[] {heads, vd, dout}, mha.weights().get(6).shape());
            randomizeWeights(mha, 3, 0.8);
            for (int variant = 0; variant < 4; variant++) {
                NDArray m = variant % 2 == 1 ? mask : null;
                boolean isCausal = variant >= 2;
                double[] want = Naive.attention(q.toDoubleArray(), v.toDoubleArray(), b, tq, tv, dq, dv, heads, kd, vd, dout, w(mha, 0), w(mha, 1), w(mha, 2),
                        w(mha, 3), w(mha, 4), w(mha, 5), w(mha, 6), w(mha, 7), m == null ? null : maskValues, isCausal);
                List<Variable> in = Arrays.asList(Variable.constant(q), Variable.constant(v), null, m == null ? null : Variable.constant(m));
                double[] got = mha.applyAll(in, causal(isCausal), false).get(0).value().toDoubleArray();
                assertTrue(maxRelativeError(got, want) < 1e-12, "variant " + variant);
                if (LayerTesting.cpuAvailable()) {
                    double[] cpu = LayerTesting.on("cpu", () -> mha.applyAll(in, causal(isCausal), false).get(0).value().toDoubleArray());
                    assertTrue(maxRelativeError(cpu, want) < 1e-12, "variant " + variant + " on cpu");
                }
            }
        }
    }

    @Test void maskedAndFuturePositionsHaveNoInfluence() {
        try (MemoryScope s = MemoryScope.open(); Layer mha = layer("MultiHeadAttention", "{\"num_heads\": 2, \"key_dim\": 2, \"dtype\": \"float64\"}")) {
            NDArray x = uniform(4, -1, 1, 1, 5, 3);
            NDArray changedLast = x.copy();
            changedLast.set(new org.pyj4.ndarray.Index[] {org.pyj4.ndarray.Index.all(), org.pyj4.ndarray.Index.at(4)}, NDArray.scalar(9.0));
            // Causal self-attention: outputs before the last step cannot see it.
            double[] a = mha.applyAll(List.of(Variable.constant(x)), causal(true), false).get(0).value().toDoubleArray();
            double[] b = mha.applyAll(List.of(Variable.constant(changedLast)), causal(true), false).get(0).value().toDoubleArray();
            assertArrayEquals(Arrays.copyOf(a, 12), Arrays.copyOf(b, 12), 1e-12);
            assertNotEquals(a[14], b[14]);
            // A mask hiding value position 4 from every query: changing it changes nothing (query 4 reads itself as a query only).
            double[] hide = new double[25];
            for (int i = 0; i < 25; i++) hide[i] = i % 5 == 4 ? 0 : 1;
            NDArray mask = NDArray.create(hide, 1, 5, 5);
            NDArray other = uniform(6, -1, 1, 1, 5, 3);
            NDArray otherChanged = other.copy();
            otherChanged.set(new org.pyj4.ndarray.Index[] {org.pyj4.ndarray.Index.all(), org.pyj4.ndarray.Index.at(4)}, NDArray.scalar(-7.0));
            double[] c = mha.applyAll(Arrays.asList(Variable.constant(x), Variable.constant(other), null, Variable.constant(mask)), null, false).get(0).value().toDoubleArray();
            double[] d = mha.applyAll(Arrays.asList(Variable.constant(x), Variable.constant(otherChanged), null, Variable.constant(mask)), null, false).get(0).value().toDoubleArray();
            assertArrayEquals(c, d, 1e-12);
        }
    }

    @Test void gradientsMatchFiniteDifferences() {
        try (MemoryScope s = MemoryScope.open();
             Layer mha = layer("MultiHeadAttention", "{\"num_heads\": 2, \"key_dim\": 2, \"value_dim\": 3, \"dtype\": \"float64\"}")) {
            NDArray q = uniform(1, -1, 1, 2, 3, 4), v = uniform(2, -1, 1, 2, 2, 3), k = uniform(3, -1, 1, 2, 2, 2);
            NDArray mask = NDArray.create(new double[] {1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1}, 2, 3, 2);
            GradCheck.check("MultiHeadAttention (query, value, key)", in -> mha.applyAll(Arrays.asList(in.get(0), in.get(1), in.get(2), Variable.constant(mask)),
                    causal(false), true).get(0), 1e-6, q, v, k);
            randomizeWeights(mha, 6, 0.7);
            GradCheck.checkParameters("MultiHeadAttention weights", () -> mha.applyAll(Arrays.asList(Variable.constant(q), Variable.constant(v),
                    Variable.constant(k), Variable.constant(mask)), null, true).get(0), mha.weights(), 1e-6);
            NDArray x = uniform(7, -1, 1, 2, 3, 4);
            Layer self = layer("MultiHeadAttention", "{\"num_heads\": 2, \"key_dim\": 2, \"dtype\": \"float64\"}");
            GradCheck.check("MultiHeadAttention causal self-attention", in -> self.applyAll(List.of(in.get(0)), causal(true), true).get(0), 1e-6, x);
        }
    }

    @Test void dropoutOnlyInTraining() {
        try (MemoryScope s = MemoryScope.open();
             Layer mha = layer("MultiHeadAttention", "{\"num_heads\": 1, \"key_dim\": 4, \"dropout\": 0.5, \"seed\": 3, \"dtype\": \"float64\"}")) {
            NDArray x = uniform(1, -1, 1, 2, 6, 4);
            double[] a = mha.apply(Variable.constant(x), false).value().toDoubleArray(), b = mha.apply(Variable.constant(x), false).value().toDoubleArray();
            assertArrayEquals(a, b, 0);
            double[] t = mha.apply(Variable.constant(x), true).value().toDoubleArray();
            assertTrue(maxRelativeError(t, a) > 1e-3, "training applies dropout to the attention probabilities");
        }
    }
}
