package org.pyj4.arrow;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.pyj4.data.BatchSource.Batch;
import org.pyj4.ndarray.Index;
import org.pyj4.ndarray.NDArray;

/**
 * One pass over a sequence of row-aligned chunks (record batches, or one in-memory array), cut
 * into batches of exactly {@code batchSize} rows, the last one possibly smaller.
 *
 * <p>A batch that lies inside one chunk is a view of it (no copy) unless rows are shuffled; a batch
 * that straddles two chunks is joined (a copy of that batch only). Shuffling permutes the rows
 * within each chunk: an in-memory dataset is one chunk, so it is shuffled globally; a stream is
 * shuffled within each record batch, as a full shuffle would need all of it in memory.
 * Each chunk is closed once its rows are handed out; {@link #close()} releases everything still
 * held, including the source (an Arrow reader).
 */
final class Rebatcher implements Iterator<Batch>, AutoCloseable {
    private final Iterator<Batch> chunks;
    private final AutoCloseable source;
    private final int batchSize;
    private final SplittableRandom random;

    private Batch chunk;          // the chunk rows are taken from
    private long[] order;         // its row permutation when shuffling
    private long position;        // rows of it handed out so far
    private final List<Batch> pending = new ArrayList<>();
    private long pendingRows;
    private Batch next;
    private boolean closed;

    Rebatcher(Iterator<Batch> chunks, AutoCloseable source, int batchSize, SplittableRandom random) {
        this.chunks = chunks;
        this.source = source;
        this.batchSize = batchSize;
        this.random = random;
    }

    @Override public boolean hasNext() {
        if (next == null && !closed) {
            try {
                next = advance();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        return next != null;
    }

    @Override public Batch next() {
        if (!hasNext()) throw new NoSuchElementException("the pass over the dataset is finished");
        Batch b = next;
        next = null;
        return b;
    }

    private Batch advance() {
        while (true) {
            if (chunk == null || position == chunk.size()) {
                closeChunk();
                if (!chunks.hasNext()) {
                    Batch rest = pendingRows > 0 ? flush() : null;
                    close();
                    return rest;
                }
                chunk = chunks.next();
                position = 0;
                order = random == null ? null : permutation(chunk.size(), random);
                continue;
            }
            long take = Math.min(batchSize - pendingRows, chunk.size() - position);
            Batch piece = rows(position, take);
            position += take;
            if (pendingRows == 0 && take == batchSize) return piece;
            pending.add(piece);
            pendingRows += take;
            if (pendingRows == batchSize) return flush();
        }
    }

    /** Rows [start, start + count) of the chunk in pass order: a view, or a gather when shuffled. */
    private Batch rows(long start, long count) {
        if (order == null) {
            return new Batch(chunk.features().slice(0, start, start + count, 1L),
                    chunk.labels() == null ? null : chunk.labels().slice(0, start, start + count, 1L));
        }
        long[] picked = new long[(int) count];
        System.arraycopy(order, (int) start, picked, 0, (int) count);
        try (NDArray index = NDArray.create(picked, count)) {
            Index[] at = {Index.array(index)};
            NDArray x = chunk.features().get(at);
            try {
                return new Batch(x, chunk.labels() == null ? null : chunk.labels().get(at));
            } catch (RuntimeException e) {
                x.close();
                throw e;
            }
        }
    }

    private Batch flush() {
        try {
            return pending.size() == 1 ? pending.remove(0) : join(pending);
        } finally {
            for (Batch b : pending) b.close();
            pending.clear();
            pendingRows = 0;
        }
    }

    /** The rows of several batches, one after the other (a copy). */
    static Batch join(List<Batch> parts) {
        NDArray[] xs = new NDArray[parts.size()];
        NDArray[] ys = new NDArray[parts.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = parts.get(i).features();
            ys[i] = parts.get(i).labels();
        }
        NDArray x = NDArray.concatenate(xs, 0);
        try {
            return new Batch(x, ys[0] == null ? null : NDArray.concatenate(ys, 0));
        } catch (RuntimeException e) {
            x.close();
            throw e;
        }
    }

    private static long[] permutation(long n, SplittableRandom random) {
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("cannot shuffle more than 2^31 rows in one chunk. Received: " + n);
        long[] p = new long[(int) n];
        for (int i = 0; i < p.length; i++) p[i] = i;
        for (int i = p.length - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private void closeChunk() {
        if (chunk != null) chunk.close();
        chunk = null;
        order = null;
    }

    boolean isClosed() { return closed; }

    /** Ends the pass early or late: releases the current chunk, unreturned rows and the source. Idempotent. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        closeChunk();
        for (Batch b : pending) b.close();
        pending.clear();
        if (next != null) next.close();
        next = null;
        try {
            if (source != null) source.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the data source failed: " + e.getMessage(), e);
        }
    }
}
