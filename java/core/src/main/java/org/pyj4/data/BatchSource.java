package org.pyj4.data;

import java.util.Iterator;
import org.pyj4.ndarray.NDArray;

/**
 * Training data as the JVM training loop consumes it: each {@link #iterator()} is one pass (epoch)
 * over (features, labels) batches. Implementations live outside core (NumPy arrays, Arrow tables
 * and Parquet streams in the arrow module); the loop needs only this interface.
 *
 * <p>Ownership: the consumer owns every {@link Batch} it receives and closes it after the step.
 * Closing the source releases what it holds (open readers, retained arrays).
 */
public interface BatchSource extends Iterable<BatchSource.Batch>, AutoCloseable {

    /** Number of samples in one pass, or -1 when unknown (a stream read as it goes). */
    long size();

    /** A new pass over the data; batches have the source's batch size, the last one may be smaller. */
    @Override Iterator<Batch> iterator();

    @Override default void close() {}

    /** One step's data: features [n, ...] and labels [n, ...] (null when the data has no labels). */
    record Batch(NDArray features, NDArray labels) implements AutoCloseable {
        public long size() { return features.shape()[0]; }

        @Override public void close() {
            features.close();
            if (labels != null) labels.close();
        }
    }
}
