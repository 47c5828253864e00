package org.pyj4.nn.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.pyj4.backend.Backend;
import org.pyj4.backend.BinaryOp;
import org.pyj4.memory.HostBuffer;
import org.pyj4.memory.NativeMemory;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;

/**
 * Gathers batches of rows (samples) of a dataset, in a given order, into a buffer allocated once.
 *
 * <p>Host-memory data in row-major order (any CPU backend, NumPy arrays shared with Python) takes
 * the short way: each row is one contiguous byte range, copied with one memcpy, so a batch costs
 * one call per row and no index arrays. Anything else (device memory, strided views) goes through
 * the backend: the rows' first element numbers are written to the device, one broadcast add makes
 * every element's number, one gather copies the rows. Either way no per-element work in Java and no
 * native allocation per batch.
 */
final class Batcher implements AutoCloseable {
    private final NDArray data;
    private final long rowSize;      // elements per row
    private final boolean hostRows;  // rows are contiguous host byte ranges
    private final NDArray out;       // data's dtype, [B, ...sample shape]
    // The backend path's buffers (null on the host path).
    private final NDArray rowStarts;    // int64 [B, 1]
    private final NDArray withinRow;    // int64 [1, rowSize]: 0..rowSize-1
    private final NDArray elementIndex; // int64 [B, rowSize]
    private final ByteBuffer host;

    Batcher(NDArray data, int batchSize) {
        this.data = data;
        long[] shape = data.shape();
        long rows = shape[0];
        this.rowSize = rows == 0 ? 1 : Math.max(1, data.size() / rows);
        Backend be = data.backend();
        int b = (int) Math.max(1, Math.min(batchSize, rows));
        long[] outShape = shape.clone();
        outShape[0] = b;
        this.out = NDArray.empty(data.dtype(), outShape, be);
        this.hostRows = data.device().isHost() && data.isContiguous() && data.tensor().buffer() instanceof HostBuffer
                && out.tensor().buffer() instanceof HostBuffer;
        if (hostRows) {
            rowStarts = null;
            withinRow = null;
            elementIndex = null;
            host = null;
            return;
        }
        this.rowStarts = NDArray.empty(DType.INT64, new long[] {b, 1}, be);
        try (NDArray r = NDArray.arange(0L, rowSize, 1L, DType.INT64)) {
            this.withinRow = r.reshape(1, rowSize);
        }
        this.elementIndex = NDArray.empty(DType.INT64, new long[] {b, rowSize}, be);
        this.host = ByteBuffer.allocate(b * 8).order(ByteOrder.nativeOrder());
    }

    /**
     * Rows order[start .. start + count) of the data (each a valid row number), gathered; a view of
     * the batch buffer (tracked by the caller's scope), valid until the next call.
     */
    NDArray rows(long[] order, int start, int count) {
        NDArray batch = out.slice(0, 0L, (long) count, 1L);
        if (hostRows) {
            long rowBytes = rowSize * data.dtype().itemSize();
            long from = ((HostBuffer) data.tensor().buffer()).address() + data.offset() * data.dtype().itemSize();
            long to = ((HostBuffer) out.tensor().buffer()).address();
            for (int i = 0; i < count; i++) NativeMemory.copy(from + order[start + i] * rowBytes, to + i * rowBytes, rowBytes);
            return batch;
        }
        Backend be = data.backend();
        host.clear();
        for (int i = 0; i < count; i++) host.putLong(order[start + i] * rowSize);
        host.flip();
        be.write(rowStarts.tensor().buffer(), 0, host);
        NDArray starts = rowStarts.slice(0, 0L, (long) count, 1L);
        NDArray index = elementIndex.slice(0, 0L, (long) count, 1L);
        be.binary(BinaryOp.ADD, starts.broadcastTo(count, rowSize).tensor(), withinRow.broadcastTo(count, rowSize).tensor(), index.tensor());
        be.gather(data.tensor(), index.reshape(batch.shape()).tensor(), batch.tensor());
        return batch;
    }

    @Override public void close() {
        out.close();
        if (rowStarts != null) {
            rowStarts.close();
            withinRow.close();
            elementIndex.close();
        }
    }
}
