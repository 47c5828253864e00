package org.pyj4.nn.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.pyj4.memory.MemoryScope;
import org.pyj4.memory.MemoryStats;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Data;
import org.pyj4.nn.Model;

/** predict from 8 threads at once gives what one thread gets, and leaves no native memory behind. */
class ConcurrentPredictTest {
    @Test void eightThreadsAgreeWithOne() throws Exception {
        try (Model model = Model.fromJson(Data.mlpJson(6, new int[] {16, 8}, 4, "softmax", 0.5))) {
            NDArray x = Data.gaussianMixture(64, 6, 4, 3)[0];
            float[] expected = model.predict(x, 7).toFloatArray(); // same batches as the threads: a BLAS may round differently for other sizes
            TrainingTest.settleNativeMemory();
            long before = MemoryStats.allocatedBytes();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    float[] last = null;
                    for (int i = 0; i < 20; i++) {
                        try (MemoryScope s = MemoryScope.open()) {
                            last = model.predict(x, 7).toFloatArray();
                        }
                    }
                    return last;
                }));
            }
            start.countDown();
            for (Future<float[]> f : results) assertArrayEquals(expected, f.get());
            pool.shutdown();
            assertEquals(before, MemoryStats.allocatedBytes(), "predict released everything it allocated");
        }
    }
}
