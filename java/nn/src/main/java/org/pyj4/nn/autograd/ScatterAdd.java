package org.pyj4.nn.autograd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pyj4.backend.Backend;
import org.pyj4.backend.BinaryOp;
import org.pyj4.ndarray.NDArray;

/**
 * dst[index[i]] += values[i] with repeated indices adding up: the backward of a gather. Float32 and
 * float64 go straight to the backend's scatterAdd. Other dtypes use scatter, which overwrites, so
 * the indices are split on the host into rounds in which each index occurs at most once; round r
 * holds every index's r-th occurrence and does gather + add + scatter.
 */
final class ScatterAdd {
    private ScatterAdd() {}

    /** dst is contiguous; index counts its elements row-major; values (any layout) has index.length elements. */
    static void apply(NDArray dst, long[] index, NDArray values) {
        Backend backend = dst.backend();
        if (dst.dtype() == org.pyj4.ndarray.DType.FLOAT32 || dst.dtype() == org.pyj4.ndarray.DType.FLOAT64) {
            // The backend adds repeated indices itself.
            NDArray v = values.dtype() == dst.dtype() ? values : values.astype(dst.dtype());
            backend.scatterAdd(dst.reshape(dst.size()).tensor(), int64(index, backend).tensor(), v.reshape(index.length).tensor());
            return;
        }
        NDArray flatValues = values.reshape(values.size());
        NDArray flatDst = dst.reshape(dst.size());
        List<List<Integer>> rounds = rounds(index);
        for (int r = 0; r < rounds.size(); r++) {
            List<Integer> positions = rounds.get(r);
            long[] at = new long[positions.size()], from = new long[positions.size()];
            for (int i = 0; i < at.length; i++) {
                from[i] = positions.get(i);
                at[i] = index[positions.get(i)];
            }
            NDArray atArray = int64(at, backend), fromArray = int64(from, backend);
            NDArray part = NDArray.empty(dst.dtype(), new long[] {at.length}, backend);
            backend.gather(flatValues.tensor(), fromArray.tensor(), part.tensor());
            if (r > 0) { // earlier rounds wrote some of these elements: add to what is there
                NDArray current = NDArray.empty(dst.dtype(), new long[] {at.length}, backend);
                backend.gather(flatDst.tensor(), atArray.tensor(), current.tensor());
                backend.binary(BinaryOp.ADD, part.tensor(), current.tensor(), part.tensor());
            }
            backend.scatter(flatDst.tensor(), atArray.tensor(), part.tensor());
        }
    }

    /** Positions of index grouped so that no index value repeats within a group. */
    private static List<List<Integer>> rounds(long[] index) {
        Map<Long, Integer> seen = new HashMap<>();
        List<List<Integer>> rounds = new ArrayList<>();
        for (int i = 0; i < index.length; i++) {
            int r = seen.merge(index[i], 1, Integer::sum) - 1;
            if (r == rounds.size()) rounds.add(new ArrayList<>());
            rounds.get(r).add(i);
        }
        return rounds;
    }

    static NDArray int64(long[] values, Backend backend) {
        NDArray out = NDArray.empty(org.pyj4.ndarray.DType.INT64, new long[] {values.length}, backend);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.nativeOrder());
        b.asLongBuffer().put(values);
        backend.write(out.tensor().buffer(), 0, b);
        return out;
    }
}
