package org.pyj4.arrow;

import java.util.Iterator;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.pyj4.data.BatchSource;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;

/**
 * Training data held in memory as two arrays, features [n, ...] and labels [n, ...] (or none).
 * Batches in order are views of them (no copy); shuffled batches gather their rows (a copy of one
 * batch at a time, never of the whole dataset). Made from NumPy arrays, NDArrays, or an Arrow table
 * read whole ({@link #fromArrow}).
 */
public final class ArrayDataset implements BatchSource {
    private final NDArray features;
    private final NDArray labels;
    private final Batching batching;
    private final OpenPasses passes = new OpenPasses();
    private long epoch;

    /** Takes its own references to the arrays: the caller keeps (and closes) theirs. */
    public ArrayDataset(NDArray features, NDArray labels, Batching batching) {
        if (features.ndim() == 0) {
            throw new ShapeException("dataset: features need a first (sample) axis. Received: features " + features.describe());
        }
        if (labels != null && (labels.ndim() == 0 || labels.shape()[0] != features.shape()[0])) {
            throw new ShapeException("dataset: features and labels must have the same number of samples (first axis). Received: features "
                    + features.describe() + ", labels " + labels.describe());
        }
        this.features = features.slice(0, null, null, null);
        this.labels = labels == null ? null : labels.slice(0, null, null, null);
        this.batching = batching;
    }

    /** All record batches of a reader, joined (no copy for one batch of one tensor or scalar column). */
    public static ArrayDataset fromArrow(ArrowReader reader, Columns columns, Batching batching) {
        try (Batch all = columns.readAll(reader)) {
            return new ArrayDataset(all.features(), all.labels(), batching);
        }
    }

    public static ArrayDataset fromArrow(VectorSchemaRoot root, Columns columns, Batching batching) {
        try (NDArray x = columns.features(root); NDArray y = columns.labels(root)) {
            return new ArrayDataset(x, y, batching);
        }
    }

    public NDArray features() { return features; }
    public NDArray labels() { return labels; }

    @Override public long size() { return features.shape()[0]; }

    /** The next pass: every call shuffles anew (epoch 0, 1, ...). */
    @Override public synchronized Iterator<Batch> iterator() { return iterator(epoch++); }

    /** The pass of a given epoch: with shuffling, its order depends only on (seed, epoch). */
    public Iterator<Batch> iterator(long epoch) {
        Batch whole = new Batch(features.slice(0, null, null, null), labels == null ? null : labels.slice(0, null, null, null));
        Iterator<Batch> one = List.of(whole).iterator();
        return passes.add(new Rebatcher(one, whole, batching.batchSize(), batching.random(epoch)));
    }

    public boolean isClosed() { return passes.isClosed(); }

    @Override public void close() {
        if (passes.isClosed()) return;
        passes.closeAll();
        features.close();
        if (labels != null) labels.close();
    }
}
