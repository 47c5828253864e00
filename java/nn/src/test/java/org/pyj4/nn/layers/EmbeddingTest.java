package org.pyj4.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.pyj4.nn.LayerTesting.layer;
import static org.pyj4.nn.LayerTesting.randomizeWeights;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryScope;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.GradCheck;
import org.pyj4.nn.LayerTesting;
import org.pyj4.nn.Model;
import org.pyj4.nn.Sequential;
import org.pyj4.nn.autograd.Variable;

/** Embedding: row lookup, repeated ids adding up in the gradient, integer model inputs, range errors. */
class EmbeddingTest {
    @Test void looksUpRowsAndScatterAddsGradients() {
        for (String backend : LayerTesting.cpuAvailable() ? new String[] {"java", "cpu"} : new String[] {"java"}) {
            LayerTesting.on(backend, () -> {
                try (MemoryScope s = MemoryScope.open(); Layer emb = layer("Embedding", "{\"input_dim\": 5, \"output_dim\": 3, \"dtype\": \"float64\"}")) {
                    NDArray ids = NDArray.create(new long[] {4, 0, 4, 2, 4, 1}, 2, 3);
                    emb.build(new long[] {3});
                    randomizeWeights(emb, 1, 1);
                    double[] table = emb.weights().get(0).value().toDoubleArray();
                    NDArray y = emb.apply(Variable.constant(ids), false).value();
                    assertArrayEquals(new long[] {2, 3, 3}, y.shape());
                    long[] id = ids.toLongArray();
                    double[] got = y.toDoubleArray();
                    for (int i = 0; i < id.length; i++) for (int j = 0; j < 3; j++) assertEquals(table[(int) id[i] * 3 + j], got[i * 3 + j], 0);
                    GradCheck.checkParameters("Embedding on " + backend, () -> emb.apply(Variable.constant(ids), true), emb.weights(), 1e-7);
                }
                return null;
            });
        }
    }

    @Test void integerInputsFlowThroughAModelAndBadIdsAreRefused() {
        try (Model m = new Sequential(List.of(new InputLayer(new long[] {4}, DType.INT32), new Embedding(10, 2), new Flatten(), new Dense(1, null)))) {
            NDArray x = NDArray.create(new int[] {1, 2, 3, 9, 0, 0, 5, 5}, 2, 4);
            assertArrayEquals(new long[] {2, 1}, m.predict(x).shape());
            assertEquals(DType.INT32, m.inputDtype());
            assertEquals(DType.FLOAT32, m.outputDtype());
            NDArray bad = NDArray.create(new int[] {1, 2, 3, 10}, 1, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(bad));
            assertEquals(true, e.getMessage().contains("input_dim=10"), e.getMessage());
        }
    }
}
