package org.pyj4.nn.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryStats;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Callback;
import org.pyj4.nn.Data;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.History;
import org.pyj4.nn.Model;

/** The training loop end to end: it learns, it is deterministic, it keeps native memory flat. */
class TrainingTest {
    @Test void seededMlpLearnsAGaussianMixture() {
        NDArray[] train = Data.gaussianMixture(600, 8, 4, 1);
        NDArray[] test = Data.gaussianMixture(300, 8, 4, 1); // same centers (same seed), fresh noise below
        try (Model model = Model.fromJson(Data.mlpJson(8, new int[] {32, 16}, 4, "softmax", null))) {
            model.compile(Data.adam(0.01, "sparse_categorical_crossentropy", "accuracy"));
            Map<String, Double> before = model.evaluate(train[0], train[1], 128);
            History h = model.fit(train[0], train[1], new FitOptions().batchSize(32).epochs(8).seed(3L).verbose(0)
                    .validationSplit(0.2), List.of());
            List<Double> loss = h.history().get("loss");
            assertTrue(loss.get(loss.size() - 1) < 0.5 * before.get("loss"), "loss should drop: " + before + " -> " + h);
            assertTrue(h.history().get("val_accuracy").get(7) > 0.9, h.toString());
            Map<String, Double> eval = model.evaluate(test[0], test[1], 64);
            assertTrue(eval.get("accuracy") > 0.9, eval.toString());
        }
    }

    @Test void sameSeedSameHistory() {
        NDArray[] d = Data.gaussianMixture(200, 4, 3, 5);
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
            try (Model model = Model.fromJson(Data.mlpJson(4, new int[] {8}, 3, "softmax", 0.25))) {
                model.compile(Data.adam(0.01, "sparse_categorical_crossentropy"));
                History h = model.fit(d[0], d[1], new FitOptions().batchSize(16).epochs(3).seed(11L).verbose(0), List.of());
                losses[run] = h.history().get("loss").get(2);
            }
        }
        assertEquals(losses[0], losses[1]);
    }

    @Test void stridedDataTakesTheBackendGatherAndTrainsTheSame() {
        NDArray[] d = Data.gaussianMixture(160, 4, 3, 6);
        // Every other column of a wider array: a strided view, which the batcher gathers through the backend.
        NDArray wide = NDArray.concatenate(new NDArray[] {d[0].expandDims(2), d[0].expandDims(2)}, 2).reshape(160, 8);
        NDArray strided = wide.slice(1, 0L, null, 2L);
        assertTrue(!strided.isContiguous());
        List<List<Double>> losses = new ArrayList<>();
        for (NDArray x : new NDArray[] {d[0], strided}) {
            try (Model model = Model.fromJson(Data.mlpJson(4, new int[] {8}, 3, "softmax", null))) {
                model.compile(Data.adam(0.01, "sparse_categorical_crossentropy"));
                losses.add(model.fit(x, d[1], new FitOptions().batchSize(16).epochs(2).seed(4L).verbose(0), List.of()).history().get("loss"));
            }
        }
        assertEquals(losses.get(0), losses.get(1));
    }

    @Test void nativeMemoryIsFlatAcrossEpochs() {
        NDArray[] d = Data.gaussianMixture(256, 6, 3, 2);
        List<Long> allocated = new ArrayList<>();
        Callback probe = new Callback() {
            @Override public void onEpochEnd(int epoch, Map<String, Double> logs) { allocated.add(MemoryStats.allocatedBytes()); }
        };
        try (Model model = Model.fromJson(Data.mlpJson(6, new int[] {16}, 3, "softmax", 0.1))) {
            model.compile(Data.adam(0.01, "sparse_categorical_crossentropy", "accuracy", "auc"));
            settleNativeMemory(); // the counter is process-wide: let earlier tests' garbage go first
            model.fit(d[0], d[1], new FitOptions().batchSize(20).epochs(10).seed(1L).verbose(0).validationSplit(0.25), List.of(probe));
        }
        assertEquals(allocated.get(1), allocated.get(9), "native bytes after epoch 2 vs epoch 10: " + allocated);
    }

    /** Runs the garbage collector (and so the buffers' cleaner) until the live native byte count stops changing. */
    static void settleNativeMemory() {
        long last = -1;
        for (int stable = 0, i = 0; stable < 3 && i < 50; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = MemoryStats.allocatedBytes();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
    }
}
