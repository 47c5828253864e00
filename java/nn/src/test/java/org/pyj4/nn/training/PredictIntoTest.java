package org.pyj4.nn.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pyj4.memory.HostBuffer;
import org.pyj4.memory.MemoryStats;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Data;
import org.pyj4.nn.Model;

/** Predictor.predictInto (the Python facade's path) gives predict's values, in the caller's memory. */
class PredictIntoTest {
    private static long address(NDArray a) {
        return ((HostBuffer) a.tensor().buffer()).address() + a.tensor().offset() * a.dtype().itemSize();
    }

    @Test void writesWhatPredictReturnsForEveryBatchSize() {
        try (Model model = Model.fromJson(Data.mlpJson(6, new int[] {16, 8}, 4, "softmax", 0.5))) {
            NDArray x = Data.gaussianMixture(37, 6, 4, 3)[0].contiguous();
            for (int batch : new int[] {1, 7, 37, 100}) {
                float[] expected = model.predict(x, batch).toFloatArray();
                TrainingTest.settleNativeMemory();
                long before = MemoryStats.allocatedBytes();
                try (NDArray out = NDArray.full(-1.0, DType.FLOAT32, 37, 4)) {
                    assertTrue(Predictor.predictInto(model, address(x), x.shape(), address(out), new long[] {37, 4}, batch));
                    assertArrayEquals(expected, out.toFloatArray(), "batch " + batch);
                }
                assertEquals(before, MemoryStats.allocatedBytes(), "predictInto released everything it allocated");
            }
        }
    }

    @Test void declinesAnotherOutputShapeOrDtypeWithoutWriting() {
        try (Model model = Model.fromJson(Data.mlpJson(6, new int[] {8}, 4, "softmax", null));
             Model wide = Model.fromJson("{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
                     + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 6], \"dtype\": \"float64\"}},"
                     + "{\"class_name\": \"Dense\", \"config\": {\"units\": 4, \"dtype\": \"float64\"}}]}}")) {
            NDArray x = Data.gaussianMixture(5, 6, 4, 3)[0].contiguous();
            try (NDArray out = NDArray.full(-1.0, DType.FLOAT32, 5, 4)) {
                assertFalse(Predictor.predictInto(model, address(x), x.shape(), address(out), new long[] {5, 2, 2}, 1));
                assertFalse(Predictor.predictInto(model, address(x), x.shape(), address(out), new long[] {4, 4}, 1));
                assertFalse(Predictor.predictInto(wide, address(x), x.shape(), address(out), new long[] {5, 4}, 1));
                for (float v : out.toFloatArray()) assertEquals(-1.0f, v);
            }
        }
    }

    @Test void aHandleNamesItsModelAndAnythingThatDoesNotFitIsDeclined() {
        try (Model model = Model.fromJson(Data.mlpJson(6, new int[] {8}, 4, "softmax", null))) {
            NDArray x = Data.gaussianMixture(5, 6, 4, 3)[0].contiguous();
            float[] expected = model.predict(x, 5).toFloatArray();
            long h = Predictor.handle(model);
            long inBytes = 5 * 6 * 4, outBytes = 5 * 4 * 4;
            try (NDArray out = NDArray.full(-1.0, DType.FLOAT32, 5, 4)) {
                // byte counts that are not what 5 rows take, no rows, an unknown handle: nothing written
                assertFalse(Predictor.predictIntoHandle(h, address(x), inBytes - 4, 5, address(out), outBytes, 2));
                assertFalse(Predictor.predictIntoHandle(h, address(x), inBytes, 5, address(out), outBytes + 4, 2));
                assertFalse(Predictor.predictIntoHandle(h, address(x), inBytes, 6, address(out), outBytes, 2));
                assertFalse(Predictor.predictIntoHandle(h, address(x), 0, 0, address(out), 0, 2));
                assertFalse(Predictor.predictIntoHandle(h + 1000, address(x), inBytes, 5, address(out), outBytes, 2));
                assertFalse(Predictor.predictIntoHandle(h, address(x), inBytes, Long.MAX_VALUE / 2, address(out), outBytes, 2));
                for (float v : out.toFloatArray()) assertEquals(-1.0f, v);
                assertTrue(Predictor.predictIntoHandle(h, address(x), inBytes, 5, address(out), outBytes, 5));
                assertArrayEquals(expected, out.toFloatArray());
                Predictor.releaseHandle(h);
                assertFalse(Predictor.predictIntoHandle(h, address(x), inBytes, 5, address(out), outBytes, 2), "a released handle names nothing");
            }
            assertTrue(Predictor.handle(model) != h, "every registration gets a new handle");
        }
    }
}
