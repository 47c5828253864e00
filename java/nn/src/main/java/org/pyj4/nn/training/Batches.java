package org.pyj4.nn.training;

import java.util.Iterator;
import org.pyj4.data.BatchSource;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Model;

/**
 * One pass over a dataset as the loop consumes it, in three moves per batch:
 * <pre>
 * while (batches.advance()) {                    // outside the step's scope
 *     try (MemoryScope scope = MemoryScope.open()) {
 *         Step s = batches.current();            // views and conversions: the step's temporaries
 *         ...
 *     } finally {
 *         batches.release();                     // the batch's own arrays
 *     }
 * }
 * </pre>
 * A {@link BatchSource} is advanced outside the scope on purpose: arrays it creates while
 * producing a batch may outlive that batch (a record batch cut into several training batches), and
 * a scope would close them with the step.
 */
interface Batches {
    /** One step's arrays, converted for the model and the loss. */
    record Step(NDArray x, NDArray y) {
        long size() { return x.shape()[0]; }
    }

    /** Moves to the next batch; false at the end of the pass. */
    boolean advance();

    /** The current batch, converted; call inside the step's scope. */
    Step current();

    /** Lets go of the current batch's own arrays (a source's batch); after the step. */
    void release();

    /** Batches of in-memory arrays, in order or gathered in a given order. */
    static Batches ofArrays(NDArray x, NDArray y, int batchSize, long[] order, Batcher xb, Batcher yb) {
        long n = x.shape()[0];
        return new Batches() {
            long next, start;
            int count;

            @Override public boolean advance() {
                if (next >= n) return false;
                start = next;
                count = (int) Math.min(batchSize, n - start);
                next += count;
                return true;
            }

            @Override public Step current() {
                if (order != null) return new Step(xb.rows(order, (int) start, count), yb.rows(order, (int) start, count));
                return new Step(x.slice(0, start, start + count, 1L), y.slice(0, start, start + count, 1L));
            }

            @Override public void release() {}
        };
    }

    /** Batches from a {@link BatchSource} pass, converted per batch (the source decides order and size). */
    static Batches ofSource(Model model, Compiled compiled, Iterator<BatchSource.Batch> pass, String op) {
        return new Batches() {
            BatchSource.Batch batch;

            @Override public boolean advance() {
                if (!pass.hasNext()) return false;
                batch = pass.next();
                if (batch.labels() == null) {
                    release();
                    throw new IllegalArgumentException(op + ": the batch source has no labels; training and evaluation need them");
                }
                return true;
            }

            @Override public Step current() {
                Inputs.sameCount(op, batch.features(), batch.labels());
                return new Step(Inputs.features(model, batch.features(), op), compiled.loss().prepareTargets(batch.labels(), model.outputDtype()));
            }

            @Override public void release() {
                if (batch != null) batch.close(); // the consumer owns each batch (BatchSource's contract)
                batch = null;
            }
        };
    }
}
