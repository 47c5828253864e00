package org.pyj4.arrow;

import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.pyj4.backend.Backends;
import org.pyj4.backend.Tensor;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.Device;
import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.ShapeException;

/**
 * NDArray <-> Arrow vectors without copying the values.
 *
 * <ul>
 *   <li>A 1-D NDArray is a numeric vector (Float4Vector, IntVector, ...) of its length.</li>
 *   <li>An N-d NDArray [n, d1, ..., dk] is a FixedSizeList vector of n lists of d1*...*dk values,
 *       marked as {@code arrow.fixed_shape_tensor} with shape [d1, ..., dk] (see {@link FixedShapeTensor}).</li>
 * </ul>
 *
 * <p>Sharing: the NDArray made from a vector holds a reference on the vector's data buffer, and the
 * vector made from an NDArray holds a reference on the NDArray's buffer; either side may be closed
 * first, and the memory goes when both have let go. NDArrays made from Arrow data are read-only:
 * Arrow data is immutable by convention and may be shared with other readers.
 *
 * <p>Not shared: Arrow bools are bits (NDArray bools are bytes), so they are converted; Arrow
 * vectors need a validity bitmap, so exporting allocates an all-valid one (n/8 bytes); a
 * non-contiguous or device NDArray is first copied to contiguous host memory. Columns with nulls
 * are refused: an NDArray has no missing values, and reading the bytes behind a null would
 * silently invent numbers.
 */
public final class ArrowTensors {
    private ArrowTensors() {}

    // ------------------------------------------------------------------ Arrow -> NDArray

    /** The vector's values as an NDArray: [n] for a numeric vector, [n, *shape] for a tensor / fixed-size list. */
    public static NDArray toNDArray(FieldVector vector) {
        Field field = vector.getField();
        String column = field.getName();
        int n = vector.getValueCount();
        refuseNulls(column, vector.getNullCount(), n);
        if (vector instanceof FixedSizeListVector) return listToNDArray((FixedSizeListVector) vector, field, n);
        ArrowType type = field.getType();
        DType dtype = ArrowDTypes.sharedDType(type);
        if (dtype != null) return share(vector.getDataBuffer(), dtype, new long[] {n});
        if (ArrowDTypes.isBool(type)) return bitsToBool((BitVector) vector, new long[] {n});
        throw ArrowDTypes.unsupported("column '" + column + "'", type);
    }

    private static NDArray listToNDArray(FixedSizeListVector list, Field field, int n) {
        String column = field.getName();
        int listSize = list.getListSize();
        FixedShapeTensor.Layout layout = FixedShapeTensor.isTensor(field)
                ? FixedShapeTensor.layout(field) : new FixedShapeTensor.Layout(new long[] {listSize}, null);
        if (layout.elementSize() != listSize) {
            throw new IllegalArgumentException("column '" + column + "': fixed_shape_tensor shape " + Arrays.toString(layout.shape())
                    + " holds " + layout.elementSize() + " values, but the list size is " + listSize);
        }
        FieldVector values = list.getDataVector();
        long needed = (long) n * listSize;
        if (values.getValueCount() < needed) {
            throw new IllegalArgumentException("column '" + column + "': expected " + needed + " child values for " + n + " lists of "
                    + listSize + ". Received: " + values.getValueCount());
        }
        refuseNulls(column + "' values '", values.getNullCount(), values.getValueCount());
        long[] physical = ArrowShapes.prepend(n, layout.shape());
        ArrowType type = values.getField().getType();
        DType dtype = ArrowDTypes.sharedDType(type);
        NDArray array;
        if (dtype != null) array = share(values.getDataBuffer(), dtype, physical);
        else if (ArrowDTypes.isBool(type)) array = bitsToBool((BitVector) values, physical);
        else throw ArrowDTypes.unsupported("column '" + column + "'", new ArrowType.FixedSizeList(listSize) + "<" + type + ">");
        if (layout.permutation() == null) return array;
        try (array) {
            return array.transpose(ArrowShapes.batchPermutation(layout.permutation()));
        }
    }

    private static void refuseNulls(String column, int nulls, int length) {
        if (nulls > 0) {
            throw new IllegalArgumentException("column '" + column + "' has " + nulls + " null(s) in " + length
                    + " values; an NDArray cannot hold missing values. Fill or drop them first (pyarrow.compute.fill_null / drop_null)");
        }
    }

    /** A read-only NDArray over an Arrow buffer, holding a reference on it until the array's memory is released. */
    private static NDArray share(ArrowBuf data, DType dtype, long[] shape) {
        if (ArrowShapes.size(shape) == 0) return NDArray.zeros(dtype, shape); // nothing to share (the buffer may be null)
        ReferenceManager refs = data.getReferenceManager();
        refs.retain();
        try {
            return NDArray.wrapHost(data.memoryAddress(), data.capacity(), dtype, shape, Tensor.contiguousStrides(shape), 0,
                    false, data, refs::release);
        } catch (RuntimeException e) {
            refs.release();
            throw e;
        }
    }

    /** Arrow bools are bits: unpacked into one byte per value (a copy). */
    private static NDArray bitsToBool(BitVector bits, long[] shape) {
        boolean[] values = new boolean[Math.toIntExact(ArrowShapes.size(shape))];
        for (int i = 0; i < values.length; i++) values[i] = bits.get(i) != 0;
        return NDArray.create(values, shape);
    }

    // ------------------------------------------------------------------ NDArray -> Arrow

    /**
     * A vector named {@code name} over the array's memory: a numeric vector for 1-D arrays, an
     * {@code arrow.fixed_shape_tensor} FixedSizeList vector for N-d arrays. The caller closes it.
     */
    public static FieldVector toVector(NDArray array, String name, BufferAllocator allocator) {
        if (array.ndim() == 0) {
            throw new ShapeException("to Arrow: a 0-d array has no Arrow vector form; reshape it to [1] first. Received: " + array.describe());
        }
        long[] shape = array.shape();
        int n = Math.toIntExact(shape[0]);
        long[] element = Arrays.copyOfRange(shape, 1, shape.length);
        int perRow = Math.toIntExact(ArrowShapes.size(element));
        FieldType valueType = FieldType.notNullable(ArrowDTypes.arrowType(array.dtype()));
        Field field = array.ndim() == 1 ? new Field(name, valueType, null)
                : new Field(name, new FieldType(false, new ArrowType.FixedSizeList(perRow), null, FixedShapeTensor.metadata(element)),
                        List.of(new Field("item", valueType, null)));
        FieldVector vector = field.createVector(allocator);
        try {
            if (vector instanceof FixedSizeListVector) {
                FixedSizeListVector list = (FixedSizeListVector) vector;
                fillValues(list.getDataVector(), array, Math.multiplyExact(n, perRow), allocator);
                try (ArrowBuf noNulls = allocator.getEmpty()) {
                    list.loadFieldBuffers(new ArrowFieldNode(n, 0), List.of(noNulls));
                }
            } else {
                fillValues(vector, array, n, allocator);
            }
            return vector;
        } catch (RuntimeException e) {
            vector.close();
            throw e;
        }
    }

    private static void fillValues(FieldVector values, NDArray array, int count, BufferAllocator allocator) {
        if (array.dtype() == DType.BOOL) {
            BitVector bits = (BitVector) values;
            boolean[] v = array.toBooleanArray();
            bits.allocateNew(count);
            for (int i = 0; i < count; i++) bits.set(i, v[i] ? 1 : 0);
            bits.setValueCount(count);
            return;
        }
        try (NDArray host = contiguousHost(array); ArrowBuf data = lend(host, allocator); ArrowBuf noNulls = allocator.getEmpty()) {
            values.loadFieldBuffers(new ArrowFieldNode(count, 0), List.of(noNulls, data));
        }
    }

    /** The array itself (a new reference) when it is contiguous host memory, else a contiguous host copy. */
    private static NDArray contiguousHost(NDArray array) {
        if (!array.device().isHost()) {
            try (NDArray c = array.to(Backends.forDevice(Device.CPU).name())) {
                return c.contiguous();
            }
        }
        return array.contiguous();
    }

    /** An ArrowBuf over the array's elements that keeps its buffer alive (one reference) until Arrow releases it. */
    private static ArrowBuf lend(NDArray array, BufferAllocator allocator) {
        long bytes = array.size() * array.dtype().itemSize();
        if (bytes == 0) return allocator.getEmpty();
        long address = array.bufferAddress() + array.offset() * array.dtype().itemSize();
        array.retainBuffer();
        try {
            return allocator.wrapForeignAllocation(new Lent(array, bytes, address));
        } catch (RuntimeException e) {
            array.releaseBuffer();
            throw e;
        }
    }

    /** NDArray memory lent to Arrow: counted by the allocator while lent, given back on release. */
    private static final class Lent extends ForeignAllocation {
        private final NDArray array;

        Lent(NDArray array, long bytes, long address) {
            super(bytes, address);
            this.array = array;
        }

        @Override protected void release0() { array.releaseBuffer(); }
    }
}
