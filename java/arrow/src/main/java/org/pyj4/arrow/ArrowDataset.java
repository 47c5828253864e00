package org.pyj4.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.pyj4.data.BatchSource;

/**
 * Training data streamed from Arrow record batches, one record batch in memory at a time: for
 * Parquet files or tables larger than memory. Each pass opens a fresh reader ({@code openPass}),
 * turns every record batch into features and labels (sharing the batch's memory where
 * {@link Columns} can) and cuts them into batches ({@link Rebatcher}). Shuffling permutes rows
 * within each record batch.
 *
 * <p>From Python, the reader is a pyarrow RecordBatchReader imported through the Arrow C stream
 * interface, so record batches reach the JVM without a copy and are read only when needed.
 */
public final class ArrowDataset implements BatchSource {
    private final Supplier<? extends ArrowReader> openPass;
    private final Columns columns;
    private final Batching batching;
    private final long size;
    private final OpenPasses passes = new OpenPasses();
    private long epoch;

    /**
     * @param openPass a new reader over the data for each pass (epoch); it is closed at the pass's end
     * @param size     rows in one pass, or -1 when unknown
     */
    public ArrowDataset(Supplier<? extends ArrowReader> openPass, Columns columns, Batching batching, long size) {
        this.openPass = openPass;
        this.columns = columns;
        this.batching = batching;
        this.size = size;
    }

    @Override public long size() { return size; }

    @Override public synchronized Iterator<Batch> iterator() { return iterator(epoch++); }

    /** The pass of a given epoch: with shuffling, its order depends only on (seed, epoch). */
    public Iterator<Batch> iterator(long epoch) {
        ArrowReader reader = openPass.get();
        if (reader == null) throw new IllegalStateException("the reader supplier returned null");
        return passes.add(new Rebatcher(new RecordBatches(reader, columns), reader, batching.batchSize(), batching.random(epoch)));
    }

    @Override public void close() { passes.closeAll(); }

    public boolean isClosed() { return passes.isClosed(); }

    /** Each record batch of a reader as (features, labels), loaded when asked for. */
    private static final class RecordBatches implements Iterator<Batch> {
        private final ArrowReader reader;
        private final Columns columns;
        private Boolean loaded;

        RecordBatches(ArrowReader reader, Columns columns) {
            this.reader = reader;
            this.columns = columns;
        }

        @Override public boolean hasNext() {
            if (loaded == null) {
                try {
                    loaded = reader.loadNextBatch();
                } catch (IOException e) {
                    throw new UncheckedIOException("reading the next Arrow record batch failed: " + e.getMessage(), e);
                }
            }
            return loaded;
        }

        @Override public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            loaded = null;
            VectorSchemaRoot root;
            try {
                root = reader.getVectorSchemaRoot();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            var x = columns.features(root);
            try {
                return new Batch(x, columns.labels(root));
            } catch (RuntimeException e) {
                x.close();
                throw e;
            }
        }
    }
}
