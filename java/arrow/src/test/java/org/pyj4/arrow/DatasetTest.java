package org.pyj4.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pyj4.data.BatchSource;
import org.pyj4.data.BatchSource.Batch;
import org.pyj4.memory.MemoryStats;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;

class DatasetTest {
    private BufferAllocator allocator;
    private long pyj4Bytes;

    @BeforeEach void open() {
        allocator = new RootAllocator();
        pyj4Bytes = MemoryStats.allocatedBytes();
    }

    @AfterEach void accountingBackToBaseline() {
        assertEquals(0, allocator.getAllocatedMemory(), "Arrow bytes still allocated");
        allocator.close();
        assertEquals(pyj4Bytes, MemoryStats.allocatedBytes(), "pyj4 bytes still allocated");
    }

    /** Rows first..first+rows-1 with columns a = i (float32), b = 10 i (int32), t = [[i, -i]] tensor, y = i (int64). */
    private VectorSchemaRoot table(int first, int rows) {
        Float4Vector a = new Float4Vector("a", allocator);
        IntVector b = new IntVector("b", allocator);
        BigIntVector y = new BigIntVector("y", allocator);
        a.allocateNew(rows);
        b.allocateNew(rows);
        y.allocateNew(rows);
        float[] t = new float[rows * 2];
        for (int i = 0; i < rows; i++) {
            a.set(i, first + i);
            b.set(i, 10 * (first + i));
            y.set(i, first + i);
            t[2 * i] = first + i;
            t[2 * i + 1] = -(first + i);
        }
        FieldVector tensor;
        try (NDArray flat = NDArray.create(t); NDArray shaped = flat.reshape(rows, 1, 2)) {
            tensor = ArrowTensors.toVector(shaped, "t", allocator);
        }
        List<FieldVector> vectors = List.of(a, b, tensor, y);
        VectorSchemaRoot root = new VectorSchemaRoot(vectors);
        root.setRowCount(rows);
        return root;
    }

    /** An Arrow IPC stream of record batches of the given sizes (consecutive rows): a reader of it. */
    private ArrowStreamReader stream(int... batchRows) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (VectorSchemaRoot first = table(0, batchRows[0]); ArrowStreamWriter w = new ArrowStreamWriter(first, null, Channels.newChannel(bytes))) {
            w.start();
            w.writeBatch();
            int next = batchRows[0];
            for (int k = 1; k < batchRows.length; k++) {
                try (VectorSchemaRoot more = table(next, batchRows[k]); ArrowRecordBatch batch = new VectorUnloader(more).getRecordBatch()) {
                    new VectorLoader(first).load(batch); // the writer's root now holds the next rows
                }
                w.writeBatch();
                next += batchRows[k];
            }
            w.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrowStreamReader(new ByteArrayInputStream(bytes.toByteArray()), allocator);
    }

    private static List<Long> labelsOf(Iterable<Batch> pass, List<Long> sizes) {
        List<Long> seen = new ArrayList<>();
        for (Batch b : pass) {
            try (b) {
                sizes.add(b.size());
                for (long v : b.labels().toLongArray()) seen.add(v);
            }
        }
        return seen;
    }

    private static List<Long> range(int n) {
        List<Long> r = new ArrayList<>();
        for (long i = 0; i < n; i++) r.add(i);
        return r;
    }

    @Test void featureColumnsBecomeAMatrixAndASingleTensorIsShared() {
        try (VectorSchemaRoot root = table(0, 3)) {
            try (NDArray x = Columns.of("y", "a", "b").features(root)) {
                assertArrayEquals(new long[] {3, 2}, x.shape());
                assertEquals(DType.FLOAT64, x.dtype(), "float32 with int32 promotes as NumPy does");
                assertArrayEquals(new double[] {0, 0, 1, 10, 2, 20}, x.toDoubleArray());
            }
            try (NDArray x = new Columns(List.of("a", "b", "t"), null, DType.FLOAT32).features(root)) {
                assertArrayEquals(new long[] {3, 4}, x.shape());
                assertEquals(DType.FLOAT32, x.dtype());
                assertArrayEquals(new float[] {1, 10, 1, -1}, Arrays.copyOfRange(x.toFloatArray(), 4, 8));
            }
            try (NDArray x = Columns.of("y", "t").features(root); NDArray y = Columns.of("y", "t").labels(root)) {
                assertArrayEquals(new long[] {3, 1, 2}, x.shape());
                FieldVector t = root.getVector("t");
                long address = ((org.apache.arrow.vector.complex.FixedSizeListVector) t).getDataVector().getDataBuffer().memoryAddress();
                assertEquals(address, x.bufferAddress(), "a single tensor column must be shared, not copied");
                assertEquals(root.getVector("y").getDataBuffer().memoryAddress(), y.bufferAddress());
                assertEquals(DType.INT64, y.dtype());
            }
            try (NDArray x = Columns.of(null, "a").features(root)) {
                assertArrayEquals(new long[] {3, 1}, x.shape());
                assertEquals(root.getVector("a").getDataBuffer().memoryAddress(), x.bufferAddress());
            }
        }
    }

    @Test void missingColumnsAndNullsAreNamed() {
        try (VectorSchemaRoot root = table(0, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Columns.of("y", "nope").features(root));
            assertTrue(e.getMessage().contains("'nope' not found") && e.getMessage().contains("[a, b, t, y]"), e.getMessage());
            ((Float4Vector) root.getVector("a")).setNull(1);
            e = assertThrows(IllegalArgumentException.class, () -> Columns.of("y", "a").features(root));
            assertTrue(e.getMessage().contains("'a' has 1 null(s)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Columns.of("a", "a"));
        }
    }

    @Test void arrayDatasetBatchesInOrderAreViews() {
        try (NDArray x = NDArray.arange(0, 20, 1, DType.FLOAT32); NDArray x2 = x.reshape(10, 2); NDArray y = NDArray.arange(0, 10, 1, DType.INT64);
             ArrayDataset ds = new ArrayDataset(x2, y, Batching.inOrder(4))) {
            assertEquals(10, ds.size());
            List<Long> sizes = new ArrayList<>();
            Iterator<Batch> it = ds.iterator();
            try (Batch first = it.next()) {
                assertTrue(first.features().sharesMemory(x2), "in-order batches are views");
                assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, first.features().toFloatArray());
                sizes.add(first.size());
            }
            while (it.hasNext()) try (Batch b = it.next()) {
                sizes.add(b.size());
            }
            assertEquals(List.of(4L, 4L, 2L), sizes);
        }
    }

    @Test void shuffledPassesAreReproduciblePermutations() {
        try (NDArray x = NDArray.arange(0, 100, 1, DType.FLOAT32); NDArray y = NDArray.arange(0, 100, 1, DType.INT64);
             ArrayDataset ds = new ArrayDataset(x, y, Batching.shuffled(32, 7));
             ArrayDataset same = new ArrayDataset(x, y, Batching.shuffled(32, 7))) {
            List<Long> sizes = new ArrayList<>();
            List<Long> epoch0 = labelsOf(() -> ds.iterator(0), sizes);
            assertEquals(List.of(32L, 32L, 32L, 4L), sizes);
            assertNotEquals(range(100), epoch0, "shuffled");
            List<Long> sorted = new ArrayList<>(epoch0);
            sorted.sort(null);
            assertEquals(range(100), sorted, "every row exactly once");
            assertEquals(epoch0, labelsOf(() -> same.iterator(0), new ArrayList<>()), "same seed and epoch, same order");
            assertNotEquals(epoch0, labelsOf(() -> ds.iterator(1), new ArrayList<>()), "each epoch its own order");
            try (Batch b = ds.iterator(0).next()) { // features follow their labels
                assertArrayEquals(b.labels().toDoubleArray(), b.features().toDoubleArray(), 0.0);
            }
        }
    }

    @Test void arrowDatasetStreamsAcrossRecordBatches() {
        int[] batches = {5, 3, 7};
        List<Integer> opened = new ArrayList<>();
        try (ArrowDataset ds = new ArrowDataset(() -> {
            opened.add(1);
            return stream(batches);
        }, Columns.of("y", "a", "b"), Batching.inOrder(4), -1)) {
            assertEquals(-1, ds.size());
            for (int epoch = 0; epoch < 2; epoch++) {
                List<Long> sizes = new ArrayList<>();
                assertEquals(range(15), labelsOf(ds, sizes));
                assertEquals(List.of(4L, 4L, 4L, 3L), sizes);
            }
            assertEquals(2, opened.size(), "one reader per pass");
            Iterator<Batch> it = ds.iterator();
            try (Batch b = it.next()) {
                assertArrayEquals(new double[] {0, 0, 1, 10, 2, 20, 3, 30}, b.features().toDoubleArray());
            }
            // abandoned half-way: closing the dataset releases the reader and its buffers (checked after the test)
        }
    }

    @Test void streamedShufflingStaysWithinRecordBatches() {
        try (ArrowDataset ds = new ArrowDataset(() -> stream(6, 6), Columns.of("y", "t"), Batching.shuffled(6, 3), -1)) {
            List<Long> sizes = new ArrayList<>();
            List<Long> seen = labelsOf(ds, sizes);
            assertEquals(List.of(6L, 6L), sizes);
            List<Long> first = new ArrayList<>(seen.subList(0, 6));
            first.sort(null);
            assertEquals(range(6), first);
            assertNotEquals(range(12), seen);
        }
    }

    @Test void readAllJoinsRecordBatches() throws IOException {
        try (ArrowStreamReader reader = stream(2, 3); ArrayDataset ds = ArrayDataset.fromArrow(reader, Columns.of("y", "t"), Batching.inOrder(10))) {
            assertEquals(5, ds.size());
            assertArrayEquals(new long[] {5, 1, 2}, ds.features().shape());
            Iterator<Batch> it = ds.iterator();
            try (Batch b = it.next()) {
                assertArrayEquals(new long[] {0, 1, 2, 3, 4}, b.labels().toLongArray());
            }
            assertFalse(it.hasNext());
        }
    }

    @Test void unlabelledDataHasNullLabels() {
        try (VectorSchemaRoot root = table(0, 3); ArrayDataset ds = ArrayDataset.fromArrow(root, Columns.of(null, "a"), Batching.inOrder(2))) {
            for (Batch b : ds) try (b) {
                assertNull(b.labels());
            }
        }
    }

    @Test void mismatchedLengthsAreRefused() {
        try (NDArray x = NDArray.zeros(DType.FLOAT32, 4, 2); NDArray y = NDArray.zeros(DType.INT64, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ArrayDataset(x, y, Batching.inOrder(2)));
            assertTrue(e.getMessage().contains("float32[4, 2]") && e.getMessage().contains("int64[3]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Batching.inOrder(0));
        }
    }

    @Test void batchSourceIsTheInterfaceTheTrainingLoopSees() {
        try (NDArray x = NDArray.zeros(DType.FLOAT32, 5, 3); NDArray y = NDArray.zeros(DType.INT64, 5)) {
            try (BatchSource source = new ArrayDataset(x, y, Batching.inOrder(2))) {
                long rows = 0;
                for (Batch b : source) try (b) {
                    rows += b.size();
                }
                assertEquals(source.size(), rows);
            }
        }
    }
}
