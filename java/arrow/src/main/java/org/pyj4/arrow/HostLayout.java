package org.pyj4.arrow;

import org.pyj4.ndarray.NDArray;

/**
 * Everything Python needs to lend an NDArray's host memory to pyarrow, in one JPype call: each
 * call across the bridge costs microseconds, and ten of them would cost more than the transfer.
 */
public final class HostLayout {
    private HostLayout() {}

    /**
     * {@code {dtype ordinal, address of the view's first element, rank, shape..., strides...}}
     * (strides in elements), or null when the array is not in host memory.
     */
    public static long[] of(NDArray a) {
        if (!a.device().isHost()) return null;
        int rank = a.ndim();
        long[] out = new long[3 + 2 * rank];
        out[0] = a.dtype().ordinal();
        out[1] = a.bufferAddress() + a.offset() * a.dtype().itemSize();
        out[2] = rank;
        System.arraycopy(a.shape(), 0, out, 3, rank);
        System.arraycopy(a.strides(), 0, out, 3 + rank, rank);
        return out;
    }
}
