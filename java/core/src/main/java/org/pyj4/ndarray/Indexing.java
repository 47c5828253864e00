package org.pyj4.ndarray;

import java.util.ArrayList;
import java.util.List;
import org.pyj4.backend.Backend;
import org.pyj4.backend.Tensor;

/**
 * NumPy indexing. Integers, slices, new axes and the ellipsis make a view of the same memory ("basic"
 * indexing). Integer arrays and boolean masks ("advanced" indexing) gather into a new array; the
 * element numbers they address are computed on the host and handed to the backend's gather/scatter.
 */
final class Indexing {
    private Indexing() {}

    /** The basic view plus what advanced indexing still has to do on it. */
    private static final class Plan {
        long[] shape;
        long[] strides;
        long offset;
        final List<long[]> arrays = new ArrayList<>();      // integer index values, flattened
        final List<long[]> arrayShapes = new ArrayList<>(); // and their shapes
        final List<Integer> arrayDims = new ArrayList<>();  // the view axis each one indexes
        boolean adjacent = true;                           // advanced indices next to each other
    }

    static NDArray get(NDArray a, Index[] index) {
        Plan p = plan(a, index);
        Tensor t = a.tensor();
        if (p.arrays.isEmpty()) {
            a.retainBuffer();
            return new NDArray(new Tensor(t.buffer(), t.dtype(), p.shape, p.strides, p.offset), false);
        }
        Tensor view = new Tensor(t.buffer(), t.dtype(), p.shape, p.strides, p.offset);
        long[] outShape = resultShape(p);
        Backend backend = a.backend();
        try (NDArray flat = onBackend(flatIndices(p, outShape), outShape, backend)) {
            NDArray out = NDArray.empty(t.dtype(), outShape, backend);
            backend.gather(view, flat.tensor(), out.tensor());
            return out;
        }
    }

    static void set(NDArray a, Index[] index, NDArray value) {
        Plan p = plan(a, index);
        Tensor t = a.tensor();
        Tensor view = new Tensor(t.buffer(), t.dtype(), p.shape, p.strides, p.offset);
        Backend backend = a.backend();
        long[] target = p.arrays.isEmpty() ? p.shape : resultShape(p);
        // A value that shares memory with the destination is copied first, so overlapping views are safe.
        try (NDArray v0 = value.sharesMemory(a) || value.dtype() != a.dtype() ? value.astype(a.dtype()) : value.contiguous();
             NDArray v = broadcastValue(v0, target)) {
            if (p.arrays.isEmpty()) {
                backend.copy(v.tensor(), view);
                return;
            }
            try (NDArray flat = onBackend(flatIndices(p, target), target, backend)) {
                backend.scatter(view, flat.tensor(), v.tensor());
            }
        }
    }

    /** Host-computed element numbers as an int64 array of {@code shape} on the backend's device. */
    private static NDArray onBackend(long[] values, long[] shape, Backend backend) {
        try (NDArray host = NDArray.create(values, Shapes.size(shape)); NDArray there = host.to(backend.name())) {
            return there.reshape(shape);
        }
    }

    private static NDArray broadcastValue(NDArray v, long[] target) {
        try {
            return v.broadcastTo(target);
        } catch (ShapeException e) {
            throw new ShapeException("setitem: could not broadcast input array from shape " + Shapes.format(v.shape())
                    + " into shape " + Shapes.format(target));
        }
    }

    private static Plan plan(NDArray a, Index[] index) {
        Tensor t = a.tensor();
        int rank = t.rank();
        boolean anyArray = false;
        int consumed = 0, ellipses = 0;
        for (Index ix : index) {
            if (ix.kind == Index.Kind.ARRAY) {
                anyArray = true;
                if (ix.array.dtype() == DType.BOOL && ix.array.ndim() == 0) {
                    throw new IndexOutOfBoundsException("index: a 0-d boolean index is not supported; use a boolean array");
                }
                if (!ix.array.dtype().isInteger() && ix.array.dtype() != DType.BOOL) {
                    throw new IndexOutOfBoundsException("index: arrays used as indices must be of integer (or boolean) type. Received: " + ix.array.describe());
                }
            }
            if (ix.kind == Index.Kind.ELLIPSIS) ellipses++;
            consumed += ix.consumes();
        }
        if (ellipses > 1) throw new IndexOutOfBoundsException("index: an index can only have a single ellipsis ('...')");
        if (consumed > rank) {
            throw new IndexOutOfBoundsException("index: too many indices for array: array is " + rank + "-dimensional, but " + consumed + " were indexed");
        }
        Plan p = new Plan();
        List<Long> shape = new ArrayList<>(), strides = new ArrayList<>();
        long offset = t.offset();
        int dim = 0;
        int lastAdvancedItem = -1;
        for (int item = 0; item < index.length; item++) {
            Index ix = index[item];
            switch (ix.kind) {
                case AT: {
                    long size = t.shape()[dim];
                    long i = ix.at < 0 ? ix.at + size : ix.at;
                    if (i < 0 || i >= size) {
                        throw new IndexOutOfBoundsException("index " + ix.at + " is out of bounds for axis " + dim + " with size " + size);
                    }
                    if (anyArray) { // NumPy treats an integer next to arrays as a 0-d advanced index
                        addArray(p, new long[] {i}, new long[0], shape.size(), item, lastAdvancedItem);
                        lastAdvancedItem = item;
                        shape.add(size);
                        strides.add(t.strides()[dim]);
                    } else {
                        offset += i * t.strides()[dim];
                    }
                    dim++;
                    break;
                }
                case SLICE: {
                    long size = t.shape()[dim];
                    long[] sl = sliceIndices(ix, size);
                    shape.add(sl[3]);
                    strides.add(t.strides()[dim] * sl[2]);
                    if (sl[3] > 0) offset += sl[0] * t.strides()[dim];
                    dim++;
                    break;
                }
                case NEW_AXIS:
                    shape.add(1L);
                    strides.add(0L);
                    break;
                case ELLIPSIS:
                    for (int k = 0; k < rank - consumed; k++, dim++) {
                        shape.add(t.shape()[dim]);
                        strides.add(t.strides()[dim]);
                    }
                    break;
                case ARRAY: {
                    NDArray arr = ix.array;
                    if (arr.dtype() == DType.BOOL) {
                        long[][] nz = nonzero(arr, t.shape(), dim);
                        for (long[] coords : nz) {
                            addArray(p, coords, new long[] {coords.length}, shape.size(), item, lastAdvancedItem);
                            shape.add(t.shape()[dim]);
                            strides.add(t.strides()[dim]);
                            dim++;
                        }
                    } else {
                        long size = t.shape()[dim];
                        long[] values = arr.toLongArray();
                        for (int k = 0; k < values.length; k++) {
                            long v = values[k] < 0 ? values[k] + size : values[k];
                            if (v < 0 || v >= size) {
                                throw new IndexOutOfBoundsException("index " + values[k] + " is out of bounds for axis " + dim + " with size " + size);
                            }
                            values[k] = v;
                        }
                        addArray(p, values, arr.shape(), shape.size(), item, lastAdvancedItem);
                        shape.add(size);
                        strides.add(t.strides()[dim]);
                        dim++;
                    }
                    lastAdvancedItem = item;
                    break;
                }
            }
        }
        for (; dim < rank; dim++) {
            shape.add(t.shape()[dim]);
            strides.add(t.strides()[dim]);
        }
        p.shape = longs(shape);  // plain loops: every slice (a training batch, a view from Python) comes here
        p.strides = longs(strides);
        p.offset = offset;
        return p;
    }

    private static long[] longs(List<Long> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    private static void addArray(Plan p, long[] values, long[] shape, int viewDim, int item, int lastAdvancedItem) {
        if (lastAdvancedItem >= 0 && lastAdvancedItem != item && lastAdvancedItem != item - 1) p.adjacent = false;
        p.arrays.add(values);
        p.arrayShapes.add(shape);
        p.arrayDims.add(viewDim);
    }

    /** Python's slice.indices plus the length: {start, stop, step, length}. */
    private static long[] sliceIndices(Index ix, long size) {
        long step = ix.step == null ? 1 : ix.step;
        if (step == 0) throw new IllegalArgumentException("slice step cannot be zero");
        long lower = step < 0 ? -1 : 0, upper = step < 0 ? size - 1 : size;
        long start = ix.start == null ? (step < 0 ? upper : lower) : clampSlice(ix.start, size, lower, upper);
        long stop = ix.stop == null ? (step < 0 ? lower : upper) : clampSlice(ix.stop, size, lower, upper);
        long length = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                               : (start > stop ? (start - stop + (-step) - 1) / (-step) : 0);
        return new long[] {start, stop, step, length};
    }

    private static long clampSlice(long v, long size, long lower, long upper) {
        if (v < 0) return Math.max(v + size, lower);
        return Math.min(v, upper);
    }

    /** Coordinates of the true elements of a mask covering axes [dim, dim + mask.ndim). */
    private static long[][] nonzero(NDArray mask, long[] shape, int dim) {
        long[] ms = mask.shape();
        for (int i = 0; i < ms.length; i++) {
            if (ms[i] != shape[dim + i]) {
                throw new IndexOutOfBoundsException("boolean index did not match indexed array along axis " + (dim + i) + "; size of axis is "
                        + shape[dim + i] + " but size of corresponding boolean axis is " + ms[i]);
            }
        }
        boolean[] m = mask.toBooleanArray();
        int count = 0;
        for (boolean b : m) if (b) count++;
        long[][] coords = new long[ms.length][count];
        long[] c = new long[ms.length];
        for (int i = 0, k = 0; i < m.length; i++) {
            if (m[i]) {
                for (int d = 0; d < ms.length; d++) coords[d][k] = c[d];
                k++;
            }
            for (int d = ms.length - 1; d >= 0; d--) { // odometer over the mask's shape
                if (++c[d] < ms[d]) break;
                c[d] = 0;
            }
        }
        return coords;
    }

    private static long[] broadcastShape(Plan p) {
        long[] b = new long[0];
        for (long[] s : p.arrayShapes) b = Shapes.broadcast("index", b, s);
        return b;
    }

    /** NumPy's placement: the broadcast index shape replaces the indexed axes if they are adjacent, else goes first. */
    private static long[] resultShape(Plan p) {
        long[] b = broadcastShape(p);
        List<Long> out = new ArrayList<>();
        int first = p.arrayDims.get(0);
        if (!p.adjacent) for (long d : b) out.add(d);
        for (int d = 0; d < p.shape.length; d++) {
            if (p.adjacent && d == first) for (long x : b) out.add(x);
            if (!p.arrayDims.contains(d)) out.add(p.shape[d]);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** For every element of the result, the row-major element number in the basic view it reads. */
    private static long[] flatIndices(Plan p, long[] outShape) {
        long[] rowMajor = Tensor.contiguousStrides(p.shape);
        long[] b = broadcastShape(p);
        int nb = Math.toIntExact(Shapes.size(b));
        // The arrays' joint contribution for each element of the broadcast index shape.
        long[] fromArrays = new long[nb];
        for (int k = 0; k < p.arrays.size(); k++) {
            long[] values = p.arrays.get(k);
            long[] shape = p.arrayShapes.get(k);
            long[] srcStrides = broadcastStrides(shape, b);
            long stride = rowMajor[p.arrayDims.get(k)];
            long[] c = new long[b.length];
            for (int j = 0; j < nb; j++) {
                long src = 0;
                for (int d = 0; d < b.length; d++) src += c[d] * srcStrides[d];
                fromArrays[j] += values[(int) src] * stride;
                for (int d = b.length - 1; d >= 0; d--) {
                    if (++c[d] < b[d]) break;
                    c[d] = 0;
                }
            }
        }
        // Map each result axis to either the broadcast index block or a plain view axis.
        int rank = outShape.length;
        int blockStart = p.adjacent ? p.arrayDims.get(0) : 0;
        long[] axisStride = new long[rank];   // row-major stride in the view for plain axes
        boolean[] inBlock = new boolean[rank];
        for (int q = 0, d = 0; q < rank; q++) {
            if (q >= blockStart && q < blockStart + b.length) {
                inBlock[q] = true;
                continue;
            }
            while (p.arrayDims.contains(d)) d++;
            axisStride[q] = rowMajor[d++];
        }
        long[] blockStrides = Tensor.contiguousStrides(b);
        long total = Shapes.size(outShape);
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("index: result too large: " + Shapes.format(outShape));
        long[] out = new long[(int) total];
        long[] c = new long[rank];
        for (int i = 0; i < total; i++) {
            long flat = 0, j = 0;
            for (int q = 0; q < rank; q++) {
                if (inBlock[q]) j += c[q] * blockStrides[q - blockStart];
                else flat += c[q] * axisStride[q];
            }
            out[i] = flat + fromArrays[(int) j];
            for (int q = rank - 1; q >= 0; q--) {
                if (++c[q] < outShape[q]) break;
                c[q] = 0;
            }
        }
        return out;
    }

    private static long[] broadcastStrides(long[] shape, long[] to) {
        long[] own = Tensor.contiguousStrides(shape);
        long[] s = new long[to.length];
        int lead = to.length - shape.length;
        for (int d = lead; d < to.length; d++) s[d] = shape[d - lead] == 1 ? 0 : own[d - lead];
        return s;
    }
}
