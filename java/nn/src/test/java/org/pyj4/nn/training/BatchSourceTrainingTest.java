package org.pyj4.nn.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pyj4.data.BatchSource;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Data;
import org.pyj4.nn.FitOptions;
import org.pyj4.nn.History;
import org.pyj4.nn.Model;

/** fit and evaluate on a BatchSource (how Arrow tables and Parquet streams arrive) behave as on arrays. */
class BatchSourceTrainingTest {
    /** In-order batches of float64 copies of two arrays (so the loop also converts dtypes per batch). */
    private static BatchSource source(NDArray x, NDArray y, int batchSize) {
        long n = x.shape()[0];
        return new BatchSource() {
            @Override public long size() { return n; }

            @Override public Iterator<Batch> iterator() {
                return new Iterator<>() {
                    long at;

                    @Override public boolean hasNext() { return at < n; }

                    @Override public Batch next() {
                        long end = Math.min(n, at + batchSize);
                        try (NDArray xs = x.slice(0, at, end, 1L); NDArray ys = y.slice(0, at, end, 1L)) {
                            at = end;
                            return new Batch(xs.astype("float64"), ys.copy());
                        }
                    }
                };
            }
        };
    }

    /**
     * Cuts "record batches" of 100 rows, made while iterating, into training batches of 32: the record
     * batch outlives the first training batch cut from it, so the loop must not close it with a step.
     */
    private static BatchSource rebatching(NDArray x, NDArray y) {
        long n = x.shape()[0];
        return new BatchSource() {
            @Override public long size() { return n; }

            @Override public Iterator<Batch> iterator() {
                return new Iterator<>() {
                    long at;
                    NDArray[] record; // {x rows, y rows} of the current record batch
                    long recordStart, recordEnd;

                    @Override public boolean hasNext() { return at < n; }

                    @Override public Batch next() {
                        if (record == null || at >= recordEnd) {
                            if (record != null) for (NDArray r : record) r.close();
                            recordStart = at;
                            recordEnd = Math.min(n, at + 100);
                            try (NDArray xs = x.slice(0, recordStart, recordEnd, 1L); NDArray ys = y.slice(0, recordStart, recordEnd, 1L)) {
                                record = new NDArray[] {xs.copy(), ys.copy()};
                            }
                        }
                        long end = Math.min(recordEnd, at + 32);
                        Batch b = new Batch(record[0].slice(0, at - recordStart, end - recordStart, 1L), record[1].slice(0, at - recordStart, end - recordStart, 1L));
                        at = end;
                        return b;
                    }
                };
            }
        };
    }

    @Test void sourcesMayKeepArraysAcrossBatches() {
        NDArray[] d = Data.gaussianMixture(250, 6, 3, 8);
        try (Model m = Model.fromJson(Data.mlpJson(6, new int[] {12}, 3, "softmax", null))) {
            m.compile(Data.adam(0.02, "sparse_categorical_crossentropy", "accuracy"));
            History h = m.fit(rebatching(d[0], d[1]), rebatching(d[0], d[1]), new FitOptions().epochs(2).verbose(0), List.of());
            assertEquals(2, h.history().get("val_loss").size());
            assertEquals(250, m.predict(rebatching(d[0], d[1])).shape()[0]);
            assertTrue(m.evaluate(rebatching(d[0], d[1])).get("accuracy") > 0.5);
        }
    }

    @Test void trainsAndEvaluatesLikeArrays() {
        NDArray[] d = Data.gaussianMixture(256, 6, 3, 8);
        History fromArrays, fromSource;
        Map<String, Double> evalArrays, evalSource;
        try (Model m = Model.fromJson(Data.mlpJson(6, new int[] {12}, 3, "softmax", null))) {
            m.compile(Data.adam(0.02, "sparse_categorical_crossentropy", "accuracy"));
            fromArrays = m.fit(d[0], d[1], new FitOptions().batchSize(32).epochs(3).shuffle(false).verbose(0), List.of());
            evalArrays = m.evaluate(d[0], d[1], 64);
        }
        try (Model m = Model.fromJson(Data.mlpJson(6, new int[] {12}, 3, "softmax", null))) {
            m.compile(Data.adam(0.02, "sparse_categorical_crossentropy", "accuracy"));
            fromSource = m.fit(source(d[0], d[1], 32), source(d[0], d[1], 100), new FitOptions().epochs(3).verbose(0), List.of());
            evalSource = m.evaluate(source(d[0], d[1], 64));
            org.junit.jupiter.api.Assertions.assertArrayEquals(m.predict(d[0]).toFloatArray(), m.predict(source(d[0], d[1], 50)).toFloatArray(), 1e-6f);
        }
        assertEquals(fromArrays.history().get("loss"), fromSource.history().get("loss"));
        assertEquals(evalArrays.get("accuracy"), evalSource.get("accuracy"));
        assertEquals(evalArrays.get("loss"), evalSource.get("loss"), 1e-6);
        assertTrue(fromSource.history().containsKey("val_loss"));
    }
}
