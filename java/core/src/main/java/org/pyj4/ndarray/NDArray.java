package org.pyj4.ndarray;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.pyj4.backend.Backend;
import org.pyj4.backend.Backends;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.UnaryOp;
import org.pyj4.memory.Buffer;
import org.pyj4.memory.HostBuffer;
import org.pyj4.memory.MemoryScope;

/**
 * An n-dimensional array: a view (shape, strides, offset, dtype) of a reference-counted buffer on
 * one device. NumPy semantics: broadcasting, NEP 50 type promotion, views for reshape / transpose /
 * slicing. Every array holds one reference to its buffer; {@link #close()} drops it, and the memory
 * is freed when the last array (or outside holder) using it is closed. Arrays created inside an open
 * {@link MemoryScope} are closed with it.
 *
 * <p>The math runs in the backend of the array's device ({@link Backends#forDevice}); this class
 * validates arguments, resolves dtypes and shapes, and derives composite ops from the primitives.
 */
public final class NDArray implements AutoCloseable {
    private final Tensor tensor;
    private final boolean weak; // a Python scalar: its kind, not its width, takes part in promotion
    private volatile boolean closed;
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(NDArray.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    NDArray(Tensor tensor, boolean weak) {
        this.tensor = tensor;
        this.weak = weak;
        MemoryScope.track(this);
    }

    private NDArray(Tensor tensor) { this(tensor, false); }

    // ---------------------------------------------------------------- creation

    /** A new zero-filled array on the default backend's device. */
    public static NDArray zeros(DType dtype, long... shape) { return empty(dtype, shape, Backends.getDefault()); }

    public static NDArray ones(DType dtype, long... shape) { return full(1.0, dtype, shape); }

    /** An array filled with {@code value} converted to {@code dtype}. */
    public static NDArray full(double value, DType dtype, long... shape) {
        try (NDArray v = scalarOf(value, dtype); NDArray b = v.broadcastTo(shape)) {
            return b.copy();
        }
    }

    public static NDArray full(long value, DType dtype, long... shape) {
        try (NDArray v = scalarOf(value, dtype); NDArray b = v.broadcastTo(shape)) {
            return b.copy();
        }
    }

    public static NDArray create(float[] data, long... shape) {
        ByteBuffer b = bytes(data.length * 4L);
        b.asFloatBuffer().put(data);
        return fromHost(b, DType.FLOAT32, shapeFor(data.length, shape));
    }

    public static NDArray create(double[] data, long... shape) {
        ByteBuffer b = bytes(data.length * 8L);
        b.asDoubleBuffer().put(data);
        return fromHost(b, DType.FLOAT64, shapeFor(data.length, shape));
    }

    public static NDArray create(int[] data, long... shape) {
        ByteBuffer b = bytes(data.length * 4L);
        b.asIntBuffer().put(data);
        return fromHost(b, DType.INT32, shapeFor(data.length, shape));
    }

    public static NDArray create(long[] data, long... shape) {
        ByteBuffer b = bytes(data.length * 8L);
        b.asLongBuffer().put(data);
        return fromHost(b, DType.INT64, shapeFor(data.length, shape));
    }

    public static NDArray create(boolean[] data, long... shape) {
        ByteBuffer b = bytes(data.length);
        for (boolean v : data) b.put((byte) (v ? 1 : 0));
        b.flip();
        return fromHost(b, DType.BOOL, shapeFor(data.length, shape));
    }

    /** Copies raw bytes in native byte order (for example from a NumPy array) into a new array. */
    public static NDArray fromBytes(ByteBuffer data, DType dtype, long... shape) {
        Shapes.checkShape("fromBytes", shape);
        long need = Shapes.size(shape) * dtype.itemSize();
        if (data.remaining() != need) {
            throw new ShapeException("fromBytes: expected " + need + " bytes for " + Shapes.describe(dtype, shape)
                    + ". Received: " + data.remaining() + " bytes");
        }
        return fromHost(data, dtype, shape);
    }

    /**
     * Wraps host memory owned elsewhere (a NumPy or Arrow buffer) without copying. {@code strides}
     * and {@code offset} count elements. {@code owner} is kept reachable while any array uses the
     * memory; {@code onRelease} (may be null) runs once when the last one lets go.
     */
    public static NDArray wrapHost(long address, long byteSize, DType dtype, long[] shape, long[] strides,
                                   long offset, boolean writable, Object owner, Runnable onRelease) {
        Shapes.checkShape("wrapHost", shape);
        if (strides.length != shape.length) {
            throw new ShapeException("wrapHost: expected one stride per axis. Received: shape=" + Shapes.format(shape)
                    + ", strides=" + Arrays.toString(strides));
        }
        HostBuffer buffer = HostBuffer.wrap(address, byteSize, writable, owner, onRelease);
        Tensor t = new Tensor(buffer, dtype, shape.clone(), strides.clone(), offset);
        try {
            checkInside("wrapHost", t);
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        }
        return new NDArray(t);
    }

    /** A Python float: a float64 0-d array whose kind, not width, takes part in promotion. */
    public static NDArray scalar(double value) { return weakScalar(scalarOf(value, DType.FLOAT64)); }

    /** A Python int: an int64 0-d array that adopts the integer width of the array it meets. */
    public static NDArray scalar(long value) { return weakScalar(scalarOf(value, DType.INT64)); }

    public static NDArray scalar(boolean value) { return scalarOf(value ? 1 : 0, DType.BOOL); }

    /** A 0-d array of the given dtype. */
    public static NDArray scalarOf(double value, DType dtype) {
        ByteBuffer b = bytes(8);
        b.putDouble(value).flip();
        try (NDArray d = fromHost(b, DType.FLOAT64, new long[0])) {
            return dtype == DType.FLOAT64 ? d.copy() : d.astype(dtype);
        }
    }

    public static NDArray scalarOf(long value, DType dtype) {
        ByteBuffer b = bytes(8);
        b.putLong(value).flip();
        try (NDArray d = fromHost(b, DType.INT64, new long[0])) {
            return dtype == DType.INT64 ? d.copy() : d.astype(dtype);
        }
    }

    /** Values start, start+step, ... below stop (above it for a negative step), as NumPy's arange. */
    public static NDArray arange(double start, double stop, double step, DType dtype) {
        long n = arangeLength(start, stop, step);
        ByteBuffer b = bytes(n * 8);
        for (long i = 0; i < n; i++) b.putDouble(start + i * step);
        b.flip();
        try (NDArray d = fromHost(b, DType.FLOAT64, new long[] {n})) {
            return d.astype(dtype);
        }
    }

    /** Integer arange, exact in int64. */
    public static NDArray arange(long start, long stop, long step, DType dtype) {
        long n = arangeLength(start, stop, step);
        ByteBuffer b = bytes(n * 8);
        for (long i = 0; i < n; i++) b.putLong(start + i * step);
        b.flip();
        try (NDArray d = fromHost(b, DType.INT64, new long[] {n})) {
            return d.castIfNeeded(dtype);
        }
    }

    private static long arangeLength(double start, double stop, double step) {
        if (step == 0 || Double.isNaN(step)) throw new IllegalArgumentException("arange: step must be nonzero. Received: step=" + step);
        double n = Math.max(0, Math.ceil((stop - start) / step));
        if (n > Integer.MAX_VALUE / 8) throw new IllegalArgumentException("arange: too many elements: " + (long) n);
        return (long) n;
    }

    /** Ones on the k-th diagonal of an n x m matrix. */
    public static NDArray eye(long n, long m, long k, DType dtype) {
        NDArray out = zeros(dtype, n, m);
        long count = Math.max(0, Math.min(n, m - k) - Math.max(0, -k));
        if (count > 0) {
            long[] idx = new long[(int) count];
            long row0 = Math.max(0, -k);
            for (int i = 0; i < count; i++) idx[i] = (row0 + i) * m + (row0 + i + k);
            try (NDArray index = create(idx, count); NDArray one = scalarOf(1.0, dtype);
                 NDArray ones = one.broadcastTo(count)) {
                out.backend().scatter(out.tensor, index.tensor, ones.tensor);
            }
        }
        return out;
    }

    /** A zero-filled contiguous array on a backend's device. */
    public static NDArray empty(DType dtype, long[] shape, Backend backend) {
        Shapes.checkShape("allocate", shape);
        long bytes = Math.multiplyExact(Shapes.size(shape), (long) dtype.itemSize());
        Buffer buf = backend.allocate(bytes);
        return new NDArray(new Tensor(buf, dtype, shape.clone(), Tensor.contiguousStrides(shape), 0));
    }

    /**
     * A contiguous array whose contents are unspecified (not zero-filled): only for an output that
     * an op overwrites entirely before anything reads it.
     */
    public static NDArray uninitialized(DType dtype, long[] shape, Backend backend) {
        Shapes.checkShape("allocate", shape);
        long bytes = Math.multiplyExact(Shapes.size(shape), (long) dtype.itemSize());
        Buffer buf = backend.allocateUninitialized(bytes);
        return new NDArray(new Tensor(buf, dtype, shape.clone(), Tensor.contiguousStrides(shape), 0));
    }

    /** As {@link #uninitialized} for the shape of an existing tensor: checked already, and shared (tensors never change theirs). */
    private static NDArray uninitializedOfShape(DType dtype, long[] tensorShape, Backend backend) {
        long bytes = Math.multiplyExact(Shapes.size(tensorShape), (long) dtype.itemSize());
        Buffer buf = backend.allocateUninitialized(bytes);
        return new NDArray(new Tensor(buf, dtype, tensorShape, Tensor.contiguousStrides(tensorShape), 0));
    }

    private NDArray emptyLike(DType dtype, long[] shape) { return empty(dtype, shape, backend()); }

    /** An output on this array's backend that the op about to run overwrites entirely (no zero-fill). */
    private NDArray outputLike(DType dtype, long[] shape) { return uninitialized(dtype, shape, backend()); }

    private static NDArray fromHost(ByteBuffer data, DType dtype, long[] shape) {
        Backend b = Backends.getDefault();
        NDArray out = empty(dtype, shape, b);
        b.write(out.tensor.buffer(), 0, data);
        return out;
    }

    private static ByteBuffer bytes(long n) {
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("host array too large: " + n + " bytes");
        return ByteBuffer.allocate((int) n).order(ByteOrder.nativeOrder());
    }

    private static long[] shapeFor(int length, long[] shape) {
        if (shape.length == 0 && length != 1) return new long[] {length};
        if (Shapes.size(shape) != length) {
            throw new ShapeException("create: expected " + Shapes.size(shape) + " values for shape " + Shapes.format(shape)
                    + ". Received: " + length + " values");
        }
        return shape.clone();
    }

    private static NDArray weakScalar(NDArray strong) {
        NDArray w = new NDArray(strong.tensor, true);
        w.tensor.buffer().retain();
        strong.close();
        return w;
    }

    // ---------------------------------------------------------------- properties

    public long[] shape() { return tensor.shape().clone(); }
    public long[] strides() { return tensor.strides().clone(); }
    public long offset() { return tensor.offset(); }
    public DType dtype() { return tensor.dtype(); }
    public int ndim() { return tensor.rank(); }
    public long size() { return tensor.size(); }
    public Device device() { return tensor.buffer().device(); }
    public boolean isContiguous() { return tensor.isContiguous(); }
    public boolean isClosed() { return closed; }
    public boolean isWeak() { return weak; }

    /** What a backend sees: buffer, dtype, shape, strides, offset. */
    public Tensor tensor() {
        checkOpen();
        return tensor;
    }

    /** Whether the memory may be written through this array (borrowed read-only memory may not). */
    public boolean isWritable() {
        Buffer b = tensor.buffer();
        return !(b instanceof HostBuffer) || ((HostBuffer) b).isWritable();
    }

    /** Whether two arrays use the same buffer (views of one another). */
    public boolean sharesMemory(NDArray other) { return tensor.buffer() == other.tensor.buffer(); }

    /**
     * The host address of element 0's buffer (not of this view's first element) and its size, for
     * exporting host memory (NumPy, Arrow). Throws for device memory.
     */
    public long bufferAddress() {
        checkOpen();
        if (!(tensor.buffer() instanceof HostBuffer)) {
            throw new IllegalStateException("bufferAddress: array lives on " + device() + ", not in host memory; copy it with to(\"cpu\") first");
        }
        return ((HostBuffer) tensor.buffer()).address();
    }

    public long bufferByteSize() { return tensor.buffer().byteSize(); }

    /** Adds a reference to the buffer for an outside holder (a NumPy view); pair with {@link #releaseBuffer}. */
    public void retainBuffer() {
        checkOpen();
        tensor.buffer().retain();
    }

    public void releaseBuffer() { tensor.buffer().release(); }

    /** The backend that runs ops on this array: lets libraries call primitives with preallocated outputs. */
    public Backend backend() { return Backends.forDevice(device()); }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("NDArray was closed: " + Shapes.describe(dtype(), tensor.shape()) + " can no longer be used");
    }

    /** Drops this array's reference to its buffer; the memory goes when the last reference does. Idempotent. */
    @Override public void close() {
        if (closed || !CLOSED.compareAndSet(this, false, true)) return;  // one CAS, not a monitor
        tensor.buffer().release();
        MemoryScope.untrack(this);
    }

    // ---------------------------------------------------------------- views

    private NDArray view(long[] shape, long[] strides, long offset) {
        checkOpen();
        tensor.buffer().retain();
        return new NDArray(new Tensor(tensor.buffer(), dtype(), shape, strides, offset));
    }

    /** A view with a new shape when the strides allow it, else a copy; one dimension may be -1. */
    public NDArray reshape(long... newShape) {
        checkOpen();
        long[] shape = resolveReshape(newShape);
        long[] strides = reshapeStrides(tensor.shape(), tensor.strides(), shape);
        if (strides != null) return view(shape, strides, tensor.offset());
        try (NDArray c = copy()) {
            return c.reshape(shape);
        }
    }

    private long[] resolveReshape(long[] newShape) {
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == -1) {
                if (unknown >= 0) throw new ShapeException("reshape: can only specify one unknown dimension. Received: shape=" + Shapes.format(newShape));
                unknown = i;
            } else if (newShape[i] < 0) {
                throw new ShapeException("reshape: negative dimensions are not allowed. Received: shape=" + Shapes.format(newShape));
            } else {
                known *= newShape[i];
            }
        }
        long[] shape = newShape.clone();
        long size = size();
        if (unknown >= 0) {
            if (known == 0 || size % known != 0) {
                throw new ShapeException("reshape: cannot reshape array of size " + size + " into shape " + Shapes.format(newShape));
            }
            shape[unknown] = size / known;
        } else if (known != size) {
            throw new ShapeException("reshape: cannot reshape array of size " + size + " into shape " + Shapes.format(newShape));
        }
        return shape;
    }

    /** Strides for viewing (shape, strides) as newShape without copying, or null when impossible. */
    private static long[] reshapeStrides(long[] shape, long[] strides, long[] newShape) {
        // Drop size-1 axes, then match groups of old axes that are contiguous among themselves.
        long size = Shapes.size(shape);
        if (size == 0 || size == 1) return Tensor.contiguousStrides(newShape);
        int n = 0;
        long[] os = new long[shape.length], ost = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                os[n] = shape[i];
                ost[n++] = strides[i];
            }
        }
        long[] out = new long[newShape.length];
        int oi = 0, ni = 0;
        while (oi < n && ni < newShape.length) {
            if (newShape[ni] == 1) {
                out[ni++] = 0;
                continue;
            }
            int oj = oi, nj = ni;
            long op = os[oi], np = newShape[ni];
            while (op != np) {
                if (op < np) op *= os[++oj];
                else np *= newShape[++nj];
            }
            for (int k = oi; k < oj; k++) {
                if (ost[k] != ost[k + 1] * os[k + 1]) return null;
            }
            long s = ost[oj];
            for (int k = nj; k >= ni; k--) {
                out[k] = s;
                s *= newShape[k];
            }
            oi = oj + 1;
            ni = nj + 1;
        }
        while (ni < newShape.length) out[ni++] = 0; // trailing size-1 axes
        return out;
    }

    /** Permutes the axes; with no arguments reverses them (NumPy's transpose). */
    public NDArray transpose(int... axes) {
        checkOpen();
        int r = ndim();
        int[] perm = new int[r];
        if (axes.length == 0) {
            for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
        } else {
            if (axes.length != r) throw new ShapeException("transpose: axes don't match array. Received: axes=" + Arrays.toString(axes) + " for " + describe());
            boolean[] seen = new boolean[r];
            for (int i = 0; i < r; i++) {
                perm[i] = Shapes.axis("transpose", axes[i], r);
                if (seen[perm[i]]) throw new ShapeException("transpose: repeated axis in transpose. Received: axes=" + Arrays.toString(axes));
                seen[perm[i]] = true;
            }
        }
        long[] shape = new long[r], strides = new long[r];
        for (int i = 0; i < r; i++) {
            shape[i] = tensor.shape()[perm[i]];
            strides[i] = tensor.strides()[perm[i]];
        }
        return view(shape, strides, tensor.offset());
    }

    /** Swaps two axes (a view). */
    public NDArray swapAxes(int a, int b) {
        int[] perm = new int[ndim()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        a = Shapes.axis("swapaxes", a, ndim());
        b = Shapes.axis("swapaxes", b, ndim());
        perm[a] = b;
        perm[b] = a;
        return transpose(perm);
    }

    /** A read-only-in-spirit view repeated along new or size-1 axes with stride 0. */
    public NDArray broadcastTo(long... shape) {
        checkOpen();
        long[] own = tensor.shape();
        if (shape.length < own.length) {
            throw new ShapeException("broadcast_to: input operand has more dimensions than allowed by the axis remapping. Received: "
                    + describe() + " to shape " + Shapes.format(shape));
        }
        long[] strides = new long[shape.length];
        int lead = shape.length - own.length;
        for (int i = 0; i < shape.length; i++) {
            if (i < lead) {
                strides[i] = 0;
            } else if (own[i - lead] == shape[i]) {
                strides[i] = tensor.strides()[i - lead];
            } else if (own[i - lead] == 1 && shape[i] >= 0) {
                strides[i] = 0;
            } else {
                throw new ShapeException("broadcast_to: operands could not be broadcast together. Received: "
                        + describe() + " to shape " + Shapes.format(shape));
            }
        }
        return view(shape.clone(), strides, tensor.offset());
    }

    /** Inserts an axis of length 1 at {@code axis} (which may be negative, counted in the result). */
    public NDArray expandDims(int axis) {
        int r = ndim() + 1;
        axis = Shapes.axis("expand_dims", axis, r);
        long[] shape = new long[r], strides = new long[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i == axis) {
                shape[i] = 1;
                strides[i] = 0;
            } else {
                shape[i] = tensor.shape()[j];
                strides[i] = tensor.strides()[j++];
            }
        }
        return view(shape, strides, tensor.offset());
    }

    /** Removes the given size-1 axes, or every size-1 axis when none are given. */
    public NDArray squeeze(int... axes) {
        boolean[] drop = new boolean[ndim()];
        if (axes.length == 0) {
            for (int i = 0; i < drop.length; i++) drop[i] = tensor.shape()[i] == 1;
        } else {
            for (int a : Shapes.axes("squeeze", axes, ndim())) {
                if (tensor.shape()[a] != 1) {
                    throw new ShapeException("squeeze: cannot select an axis to squeeze out which has size not equal to one. Received: axis="
                            + a + " of " + describe());
                }
                drop[a] = true;
            }
        }
        int r = 0;
        for (boolean d : drop) if (!d) r++;
        long[] shape = new long[r], strides = new long[r];
        for (int i = 0, j = 0; i < drop.length; i++) {
            if (!drop[i]) {
                shape[j] = tensor.shape()[i];
                strides[j++] = tensor.strides()[i];
            }
        }
        return view(shape, strides, tensor.offset());
    }

    /** A 1-D copy. */
    public NDArray flatten() {
        try (NDArray c = copy()) {
            return c.reshape(size());
        }
    }

    /** A 1-D view when possible, else a copy. */
    public NDArray ravel() { return reshape(size()); }

    /** A view of one axis sliced start:stop:step (Python slice rules). */
    public NDArray slice(int axis, Long start, Long stop, Long step) {
        Index[] idx = new Index[Shapes.axis("slice", axis, ndim()) + 1];
        Arrays.fill(idx, Index.all());
        idx[idx.length - 1] = Index.slice(start, stop, step);
        return get(idx);
    }

    // ---------------------------------------------------------------- copies and casts

    /** A contiguous copy on the same device. */
    public NDArray copy() { return astype(dtype()); }

    /** A contiguous copy converted to {@code dtype} (floats to integers truncate toward zero). */
    public NDArray astype(DType dtype) {
        checkOpen();
        NDArray out = outputLike(dtype, tensor.shape());
        backend().copy(tensor, out.tensor);
        return out;
    }

    public NDArray astype(String dtype) { return astype(DType.of(dtype)); }

    /** This array if it is already contiguous (a new reference to it), else a contiguous copy. */
    public NDArray contiguous() {
        return isContiguous() ? view(tensor.shape(), tensor.strides(), tensor.offset()) : copy();
    }

    private NDArray castIfNeeded(DType dtype) {
        return dtype == dtype() ? view(tensor.shape(), tensor.strides(), tensor.offset()) : astype(dtype);
    }

    /** A copy on another backend's device ("cpu", "java", "cuda"); the same array's view if already there. */
    public NDArray to(String backendName) {
        checkOpen();
        Backend target = Backends.get(backendName);
        if (target.device().equals(device())) return view(tensor.shape(), tensor.strides(), tensor.offset());
        try (NDArray c = contiguous()) {
            ByteBuffer host = ByteBuffer.allocateDirect((int) Math.multiplyExact(size(), (long) dtype().itemSize()));
            c.backend().read(c.tensor.buffer(), c.tensor.offset() * dtype().itemSize(), host);
            host.flip();
            NDArray out = empty(dtype(), tensor.shape(), target);
            target.write(out.tensor.buffer(), 0, host);
            return out;
        }
    }

    // ---------------------------------------------------------------- reading values

    private ByteBuffer readAll(DType as) {
        try (NDArray c = as == dtype() && isContiguous() ? contiguous() : astype(as)) {
            long n = Math.multiplyExact(size(), (long) as.itemSize());
            if (n > Integer.MAX_VALUE) throw new IllegalStateException("array too large for a Java array: " + describe());
            ByteBuffer host = ByteBuffer.allocate((int) n).order(ByteOrder.nativeOrder());
            c.backend().read(c.tensor.buffer(), c.tensor.offset() * as.itemSize(), host);
            host.flip();
            return host;
        }
    }

    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(size())];
        readAll(DType.FLOAT32).asFloatBuffer().get(out);
        return out;
    }

    public double[] toDoubleArray() {
        double[] out = new double[Math.toIntExact(size())];
        readAll(DType.FLOAT64).asDoubleBuffer().get(out);
        return out;
    }

    public long[] toLongArray() {
        long[] out = new long[Math.toIntExact(size())];
        readAll(DType.INT64).asLongBuffer().get(out);
        return out;
    }

    public int[] toIntArray() {
        int[] out = new int[Math.toIntExact(size())];
        readAll(DType.INT32).asIntBuffer().get(out);
        return out;
    }

    public boolean[] toBooleanArray() {
        ByteBuffer b = readAll(DType.BOOL);
        boolean[] out = new boolean[Math.toIntExact(size())];
        for (int i = 0; i < out.length; i++) out[i] = b.get(i) != 0;
        return out;
    }

    /** The raw bytes of a contiguous copy, in native order. */
    public ByteBuffer toByteBuffer() { return readAll(dtype()); }

    private void checkItem(String op) {
        if (size() != 1) throw new ShapeException(op + ": only arrays of one element can be converted to a scalar. Received: " + describe());
    }

    /** The single element as a double. */
    public double getDouble() {
        checkItem("item");
        return toDoubleArray()[0];
    }

    public long getLong() {
        checkItem("item");
        return toLongArray()[0];
    }

    public boolean getBoolean() {
        checkItem("item");
        return toBooleanArray()[0];
    }

    // ---------------------------------------------------------------- indexing

    /** NumPy indexing: integers, slices, new axes, an ellipsis, integer arrays and boolean masks. */
    public NDArray get(Index... index) {
        checkOpen();
        return Indexing.get(this, index);
    }

    /** {@code a[index] = value}, writing through to this array's memory. */
    public void set(Index[] index, NDArray value) {
        checkOpen();
        if (!isWritable()) throw new IllegalArgumentException("assignment destination is read-only: " + describe());
        Indexing.set(this, index, value);
    }

    /** Copies {@code value} (broadcast and cast) into this array's elements. */
    public void assign(NDArray value) { set(new Index[0], value); }

    // ---------------------------------------------------------------- elementwise math

    public NDArray unary(UnaryOp op) {
        checkOpen();
        DType in = dtype();
        DType outType;
        switch (op.domain()) {
            case FLOAT_ONLY:
                in = dtype().toFloat();
                outType = in;
                break;
            case INTEGRAL:
                if (dtype().isFloat()) throw new DTypeException(ufunc(op) + ": not supported for the input types. Received: " + describe());
                outType = in;
                break;
            case BOOL_RESULT:
                outType = DType.BOOL;
                break;
            default:
                if (op == UnaryOp.NEG && dtype().isBool()) {
                    throw new DTypeException("negative: the numpy boolean negative, the `-` operator, is not supported, use the `~` operator or logical_not instead. Received: " + describe());
                }
                outType = in;
        }
        NDArray out = outputLike(outType, tensor.shape());
        if (in == dtype()) {
            backend().unary(op, tensor, out.tensor);
            return out;
        }
        try (NDArray x = astype(in)) {
            backend().unary(op, x.tensor, out.tensor);
            return out;
        }
    }

    private static String ufunc(UnaryOp op) { return op.name().toLowerCase(java.util.Locale.ROOT); }

    public NDArray neg() { return unary(UnaryOp.NEG); }
    public NDArray abs() { return unary(UnaryOp.ABS); }
    public NDArray sign() { return unary(UnaryOp.SIGN); }
    public NDArray square() { return unary(UnaryOp.SQUARE); }
    public NDArray exp() { return unary(UnaryOp.EXP); }
    public NDArray log() { return unary(UnaryOp.LOG); }
    public NDArray sqrt() { return unary(UnaryOp.SQRT); }
    public NDArray tanh() { return unary(UnaryOp.TANH); }
    public NDArray sigmoid() { return unary(UnaryOp.SIGMOID); }
    public NDArray relu() { return unary(UnaryOp.RELU); }
    public NDArray floor() { return unary(UnaryOp.FLOOR); }
    public NDArray ceil() { return unary(UnaryOp.CEIL); }
    public NDArray sin() { return unary(UnaryOp.SIN); }
    public NDArray cos() { return unary(UnaryOp.COS); }
    public NDArray invert() { return unary(UnaryOp.INVERT); }

    /** {@code this op other} with NumPy broadcasting and NEP 50 promotion. */
    public NDArray binary(BinaryOp op, NDArray other) {
        checkOpen();
        other.checkOpen();
        if (!device().equals(other.device())) {
            throw new IllegalArgumentException(opName(op) + ": expected arrays on one device. Received: " + device() + " and " + other.device());
        }
        DType common = Promotion.binary(op, this, other);
        DType outType = op.isComparison() ? DType.BOOL : common;
        if (dtype() == common && other.dtype() == common && Arrays.equals(tensor.shape(), other.tensor.shape())
                && !(op == BinaryOp.POW && common.isInteger())) {
            Backend be = backend();
            NDArray out = uninitializedOfShape(outType, tensor.shape(), be); // the common case: no casts, no broadcast views
            try {
                be.binary(op, tensor, other.tensor, out.tensor);
            } catch (RuntimeException | Error e) {
                out.close();
                throw e;
            }
            return out;
        }
        long[] shape = Shapes.broadcast(opName(op), tensor.shape(), other.tensor.shape());
        try (NDArray a0 = castIfNeeded(common); NDArray b0 = other.castIfNeeded(common);
             NDArray a = a0.broadcastTo(shape); NDArray b = b0.broadcastTo(shape)) {
            if (op == BinaryOp.POW && common.isInteger()) Promotion.checkNonNegativeExponent(b);
            NDArray out = outputLike(outType, shape);
            backend().binary(op, a.tensor, b.tensor, out.tensor);
            return out;
        }
    }

    /** "add", "floordiv", ...: made once (Promotion asks for it on every binary op). */
    static String opName(BinaryOp op) { return BinaryOpNames.NAMES[op.ordinal()]; }

    private static final class BinaryOpNames {  // a holder: built on first use, after BinaryOp
        static final String[] NAMES = new String[BinaryOp.values().length];

        static {
            for (BinaryOp op : BinaryOp.values()) NAMES[op.ordinal()] = op.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public NDArray add(NDArray o) { return binary(BinaryOp.ADD, o); }
    public NDArray sub(NDArray o) { return binary(BinaryOp.SUB, o); }
    public NDArray mul(NDArray o) { return binary(BinaryOp.MUL, o); }
    public NDArray div(NDArray o) { return binary(BinaryOp.DIV, o); }
    public NDArray floorDiv(NDArray o) { return binary(BinaryOp.FLOORDIV, o); }
    public NDArray mod(NDArray o) { return binary(BinaryOp.MOD, o); }
    public NDArray pow(NDArray o) { return binary(BinaryOp.POW, o); }
    public NDArray maximum(NDArray o) { return binary(BinaryOp.MAXIMUM, o); }
    public NDArray minimum(NDArray o) { return binary(BinaryOp.MINIMUM, o); }
    public NDArray eq(NDArray o) { return binary(BinaryOp.EQ, o); }
    public NDArray ne(NDArray o) { return binary(BinaryOp.NE, o); }
    public NDArray lt(NDArray o) { return binary(BinaryOp.LT, o); }
    public NDArray le(NDArray o) { return binary(BinaryOp.LE, o); }
    public NDArray gt(NDArray o) { return binary(BinaryOp.GT, o); }
    public NDArray ge(NDArray o) { return binary(BinaryOp.GE, o); }
    public NDArray and(NDArray o) { return binary(BinaryOp.AND, o); }
    public NDArray or(NDArray o) { return binary(BinaryOp.OR, o); }
    public NDArray xor(NDArray o) { return binary(BinaryOp.XOR, o); }

    /** Scalar forms: a Java double/float behaves as a Python float, an integer as a Python int. */
    public NDArray binary(BinaryOp op, Number scalar) {
        try (NDArray s = scalarFor(scalar)) {
            return binary(op, s);
        }
    }

    private static NDArray scalarFor(Number n) {
        if (n instanceof Double || n instanceof Float) return scalar(n.doubleValue());
        return scalar(n.longValue());
    }

    public NDArray add(Number s) { return binary(BinaryOp.ADD, s); }
    public NDArray sub(Number s) { return binary(BinaryOp.SUB, s); }
    public NDArray mul(Number s) { return binary(BinaryOp.MUL, s); }
    public NDArray div(Number s) { return binary(BinaryOp.DIV, s); }
    public NDArray pow(Number s) { return binary(BinaryOp.POW, s); }

    /** cond ? x : y elementwise, with broadcasting and promotion of x and y. */
    public static NDArray where(NDArray cond, NDArray x, NDArray y) {
        DType common = Promotion.of(x, y);
        long[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.tensor.shape(), x.tensor.shape()), y.tensor.shape());
        try (NDArray c0 = cond.castIfNeeded(DType.BOOL); NDArray x0 = x.castIfNeeded(common); NDArray y0 = y.castIfNeeded(common);
             NDArray c = c0.broadcastTo(shape); NDArray a = x0.broadcastTo(shape); NDArray b = y0.broadcastTo(shape)) {
            NDArray out = x.outputLike(common, shape);
            x.backend().where(c.tensor, a.tensor, b.tensor, out.tensor);
            return out;
        }
    }

    /** Limits values to [min, max]; either bound may be null. */
    public NDArray clip(NDArray min, NDArray max) {
        if (min == null && max == null) throw new IllegalArgumentException("clip: one of min or max must be given. Received: min=None, max=None");
        DType t = Promotion.of(min == null ? new NDArray[] {this, max} : max == null ? new NDArray[] {this, min} : new NDArray[] {this, min, max});
        try (NDArray x = castIfNeeded(t)) {
            NDArray lo = min == null ? x.view(x.tensor.shape(), x.tensor.strides(), x.tensor.offset()) : x.maximum(min);
            if (max == null) return lo;
            try (lo) {
                return lo.minimum(max);
            }
        }
    }

    // ---------------------------------------------------------------- reductions

    /** A reduction over {@code axes} (null: all) into {@code outType}. */
    NDArray reduce(ReduceOp op, int[] axes, boolean keepdims, DType outType) {
        checkOpen();
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        int[] ax = Shapes.axes(name, axes, ndim());
        long[] kept = shape();
        for (int a : ax) {
            if (kept[a] == 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN)) {
                throw new IllegalArgumentException(name + ": zero-size array to reduction operation " + (op == ReduceOp.MAX ? "maximum" : "minimum")
                        + " which has no identity. Received: " + describe());
            }
            kept[a] = 1;
        }
        NDArray out = emptyLike(outType, kept);
        backend().reduce(op, tensor, ax, out.tensor);
        if (keepdims) return out;
        try (out) {
            return out.reshape(dropAxes(kept, ax));
        }
    }

    private static long[] dropAxes(long[] shape, int[] sortedAxes) {
        long[] out = new long[shape.length - sortedAxes.length];
        for (int i = 0, j = 0, k = 0; i < shape.length; i++) {
            if (k < sortedAxes.length && sortedAxes[k] == i) k++;
            else out[j++] = shape[i];
        }
        return out;
    }

    public NDArray sum(int[] axes, boolean keepdims) { return reduce(ReduceOp.SUM, axes, keepdims, dtype().sumType()); }
    public NDArray sum() { return sum(null, false); }
    public NDArray prod(int[] axes, boolean keepdims) { return reduce(ReduceOp.PROD, axes, keepdims, dtype().sumType()); }
    public NDArray max(int[] axes, boolean keepdims) { return reduce(ReduceOp.MAX, axes, keepdims, dtype()); }
    public NDArray min(int[] axes, boolean keepdims) { return reduce(ReduceOp.MIN, axes, keepdims, dtype()); }
    public NDArray any(int[] axes, boolean keepdims) { return reduce(ReduceOp.ANY, axes, keepdims, DType.BOOL); }
    public NDArray all(int[] axes, boolean keepdims) { return reduce(ReduceOp.ALL, axes, keepdims, DType.BOOL); }

    /** Index of the first maximum along an axis (null: of the flattened array). */
    public NDArray argmax(Integer axis, boolean keepdims) { return argExtreme(ReduceOp.ARGMAX, axis, keepdims); }
    public NDArray argmin(Integer axis, boolean keepdims) { return argExtreme(ReduceOp.ARGMIN, axis, keepdims); }

    private NDArray argExtreme(ReduceOp op, Integer axis, boolean keepdims) {
        checkOpen();
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        if (axis == null) {
            if (size() == 0) throw new IllegalArgumentException(name + ": attempt to get " + name + " of an empty sequence");
            try (NDArray flat = ravel(); NDArray r = flat.argExtreme(op, 0, false)) {
                if (!keepdims) return r.view(r.tensor.shape(), r.tensor.strides(), r.tensor.offset());
                long[] ones = new long[ndim()];
                Arrays.fill(ones, 1);
                return r.reshape(ones);
            }
        }
        int a = Shapes.axis(name, axis, ndim());
        if (tensor.shape()[a] == 0) throw new IllegalArgumentException(name + ": attempt to get " + name + " of an empty sequence");
        return reduce(op, new int[] {a}, keepdims, DType.INT64);
    }

    /** Arithmetic mean; integers average in float64, float16 in float32 (as NumPy). */
    public NDArray mean(int[] axes, boolean keepdims) {
        DType result = dtype().isFloat() ? dtype() : DType.FLOAT64;
        DType acc = result == DType.FLOAT16 || result == DType.BFLOAT16 ? DType.FLOAT32 : result;
        long count = countOver(axes);
        try (NDArray s = reduce(ReduceOp.SUM, axes, keepdims, acc);
             NDArray n = scalarOf((double) count, acc);
             NDArray m = s.div(n)) {
            return m.castIfNeeded(result);
        }
    }

    /** Variance with {@code ddof} delta degrees of freedom. */
    public NDArray var(int[] axes, int ddof, boolean keepdims) {
        DType result = dtype().isFloat() ? dtype() : DType.FLOAT64;
        DType acc = result == DType.FLOAT16 || result == DType.BFLOAT16 ? DType.FLOAT32 : result;
        long count = countOver(axes);
        try (NDArray x = castIfNeeded(acc); NDArray m = x.mean(axes, true); NDArray d = x.sub(m);
             NDArray d2 = d.mul(d); NDArray s = d2.reduce(ReduceOp.SUM, axes, keepdims, acc);
             NDArray n = scalarOf((double) Math.max(count - ddof, 0), acc); NDArray v = s.div(n)) {
            return v.castIfNeeded(result);
        }
    }

    public NDArray std(int[] axes, int ddof, boolean keepdims) {
        try (NDArray v = var(axes, ddof, keepdims)) {
            return v.sqrt();
        }
    }

    private long countOver(int[] axes) {
        long n = 1;
        for (int a : Shapes.axes("reduce", axes, ndim())) n *= tensor.shape()[a];
        return n;
    }

    // ---------------------------------------------------------------- composites

    /** Numerically stable softmax along an axis. */
    public NDArray softmax(int axis) {
        try (NDArray x = castIfNeeded(dtype().toFloat()); NDArray m = x.max(new int[] {axis}, true);
             NDArray z = x.sub(m); NDArray e = z.exp(); NDArray s = e.sum(new int[] {axis}, true)) {
            return e.div(s);
        }
    }

    /** Numerically stable log(softmax(x)) along an axis. */
    public NDArray logSoftmax(int axis) {
        try (NDArray x = castIfNeeded(dtype().toFloat()); NDArray m = x.max(new int[] {axis}, true);
             NDArray z = x.sub(m); NDArray e = z.exp(); NDArray s = e.sum(new int[] {axis}, true);
             NDArray ls = s.log()) {
            return z.sub(ls);
        }
    }

    /** NumPy matmul: 1-D operands are promoted and the added axis removed; batch axes broadcast. */
    public NDArray matmul(NDArray other) {
        checkOpen();
        other.checkOpen();
        if (ndim() == 0 || other.ndim() == 0) {
            throw new ShapeException("matmul: input operand " + (ndim() == 0 ? 0 : 1) + " does not have enough dimensions (has 0, requires 1). Received: "
                    + describe() + " @ " + other.describe());
        }
        if (ndim() >= 2 && other.ndim() >= 2 && dtype() == other.dtype()) {  // most products: no views or casts to make
            long[] as = tensor.shape(), bs = other.tensor.shape();
            int r = as.length;
            if (r == bs.length && as[r - 1] == bs[r - 2] && Arrays.equals(as, 0, r - 2, bs, 0, r - 2)) {
                long[] outShape = as.clone();
                outShape[r - 1] = bs[r - 1];
                return product(tensor, other.tensor, dtype(), outShape);
            }
        }
        try (NDArray a = ndim() == 1 ? expandDims(0) : view(tensor.shape(), tensor.strides(), tensor.offset());
             NDArray b = other.ndim() == 1 ? other.expandDims(1) : other.view(other.tensor.shape(), other.tensor.strides(), other.tensor.offset())) {
            long[] as = a.tensor.shape(), bs = b.tensor.shape();
            long m = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], n = bs[bs.length - 1];
            if (k != k2) {
                throw new ShapeException("matmul: expected the last axis of the first operand to match the second-to-last axis of the second (size "
                        + k + " is different from " + k2 + "). Received: " + describe() + " @ " + other.describe());
            }
            long[] batch = Shapes.broadcast("matmul", Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
            DType t = Promotion.of(this, other);
            long[] outShape = concat(batch, new long[] {m, n});
            try (NDArray a0 = a.castIfNeeded(t); NDArray b0 = b.castIfNeeded(t);
                 NDArray ab = a0.broadcastTo(concat(batch, new long[] {m, k}));
                 NDArray bb = b0.broadcastTo(concat(batch, new long[] {k, n}))) {
                NDArray out = product(ab.tensor, bb.tensor, t, outShape);
                if (ndim() > 1 && other.ndim() > 1) return out;
                try (out) {
                    int[] drop = ndim() == 1 && other.ndim() == 1 ? new int[] {-2, -1} : ndim() == 1 ? new int[] {-2} : new int[] {-1};
                    return out.squeeze(drop);
                }
            }
        }
    }

    /** A new array a @ b of {@code shape}; closed again if the backend fails. */
    private NDArray product(Tensor a, Tensor b, DType dtype, long[] shape) {
        NDArray out = outputLike(dtype, shape);
        try {
            backend().matmul(a, b, out.tensor);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** NumPy dot: matmul for 1-D and 2-D; scalars multiply; N-d sums over a's last and b's second-to-last axis. */
    public NDArray dot(NDArray other) {
        if (ndim() == 0 || other.ndim() == 0) return mul(other);
        if (ndim() <= 2 && other.ndim() <= 2) return matmul(other);
        long k = tensor.shape()[ndim() - 1];
        int kb = other.ndim() == 1 ? 0 : other.ndim() - 2;
        if (other.tensor.shape()[kb] != k) {
            throw new ShapeException("dot: shapes " + Shapes.format(tensor.shape()) + " and " + Shapes.format(other.tensor.shape())
                    + " not aligned: " + k + " (dim " + (ndim() - 1) + ") != " + other.tensor.shape()[kb] + " (dim " + kb + ")");
        }
        int[] perm = new int[other.ndim()];
        perm[0] = kb;
        for (int i = 0, j = 1; i < other.ndim(); i++) if (i != kb) perm[j++] = i;
        long[] outShape = concat(Arrays.copyOf(tensor.shape(), ndim() - 1), dropAxis(other.tensor.shape(), kb));
        try (NDArray a2 = reshape(-1, k); NDArray bt = other.transpose(perm); NDArray b2 = bt.reshape(k, -1);
             NDArray r = a2.matmul(b2)) {
            return r.reshape(outShape);
        }
    }

    /** Joins arrays along an existing axis (NumPy concatenate). */
    public static NDArray concatenate(NDArray[] arrays, int axis) {
        if (arrays.length == 0) throw new IllegalArgumentException("concatenate: need at least one array to concatenate");
        NDArray first = arrays[0];
        int r = first.ndim();
        if (r == 0) throw new IllegalArgumentException("concatenate: zero-dimensional arrays cannot be concatenated");
        int ax = Shapes.axis("concatenate", axis, r);
        long total = 0;
        for (int i = 0; i < arrays.length; i++) {
            NDArray a = arrays[i];
            a.checkOpen();
            if (a.ndim() != r) {
                throw new ShapeException("concatenate: all the input arrays must have same number of dimensions, but the array at index 0 has "
                        + r + " dimension(s) and the array at index " + i + " has " + a.ndim() + " dimension(s)");
            }
            for (int d = 0; d < r; d++) {
                if (d != ax && a.tensor.shape()[d] != first.tensor.shape()[d]) {
                    throw new ShapeException("concatenate: all the input array dimensions except for the concatenation axis must match exactly, but along dimension "
                            + d + ", the array at index 0 has size " + first.tensor.shape()[d] + " and the array at index " + i + " has size " + a.tensor.shape()[d]);
                }
            }
            if (!a.device().equals(first.device())) throw new IllegalArgumentException("concatenate: expected arrays on one device. Received: " + first.device() + " and " + a.device());
            total += a.tensor.shape()[ax];
        }
        long[] shape = first.shape();
        shape[ax] = total;
        NDArray out = first.emptyLike(Promotion.of(arrays), shape);
        long at = 0;
        for (NDArray a : arrays) {
            long len = a.tensor.shape()[ax];
            try (NDArray part = out.slice(ax, at, at + len, 1L)) {
                part.backend().copy(a.tensor, part.tensor);
            }
            at += len;
        }
        return out;
    }

    /** Joins arrays of one shape along a new axis (NumPy stack). */
    public static NDArray stack(NDArray[] arrays, int axis) {
        if (arrays.length == 0) throw new IllegalArgumentException("stack: need at least one array to stack");
        for (int i = 1; i < arrays.length; i++) {
            if (!Arrays.equals(arrays[i].tensor.shape(), arrays[0].tensor.shape())) {
                throw new ShapeException("stack: all input arrays must have the same shape. Received: " + arrays[0].describe()
                        + " at index 0 and " + arrays[i].describe() + " at index " + i);
            }
        }
        int ax = Shapes.axis("stack", axis, arrays[0].ndim() + 1);
        NDArray[] expanded = new NDArray[arrays.length];
        try {
            for (int i = 0; i < arrays.length; i++) expanded[i] = arrays[i].expandDims(ax);
            return concatenate(expanded, ax);
        } finally {
            for (NDArray e : expanded) if (e != null) e.close();
        }
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long[] dropAxis(long[] shape, int axis) {
        long[] out = new long[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) out[j++] = shape[i];
        return out;
    }

    // ---------------------------------------------------------------- Python fast paths

    // pyj4's Python operators call the static methods below. Each has a single signature, so JPype
    // does one call without overload resolution; ops travel as enum ordinals and arrays as int
    // handles, because JPype's cost of returning an object (finding its class, making a proxy) is
    // larger than the call itself. A handle names an array registered here until closeHandle;
    // `done` (0: none) is the handle of an array whose Python owner is gone: closing it on the way
    // saves Python a call of its own.
    private static final BinaryOp[] BINARY_OPS = BinaryOp.values();
    private static final UnaryOp[] UNARY_OPS = UnaryOp.values();
    private static final Object HANDLES_LOCK = new Object();
    // A handle is (generation << 32 | slot). A slot's generation changes when its handle is closed,
    // so a stale handle (say, from a copied Python wrapper) can never name the slot's next array.
    private static NDArray[] byHandle = new NDArray[64];  // slot 0 unused: handle 0 means none
    private static int[] generations = new int[64];
    private static int[] freeSlots = new int[64];
    private static int freeCount;
    private static int nextSlot = 1;

    /** A handle for {@code a} (which stays owned by the caller until closeHandle closes it). */
    public static long register(NDArray a) {
        if (a == null) throw new IllegalArgumentException("register: expected an array. Received: null");
        synchronized (HANDLES_LOCK) {
            int slot;
            if (freeCount > 0) {
                slot = freeSlots[--freeCount];
            } else {
                if (nextSlot == byHandle.length) {
                    byHandle = Arrays.copyOf(byHandle, byHandle.length * 2);
                    generations = Arrays.copyOf(generations, byHandle.length);
                    freeSlots = Arrays.copyOf(freeSlots, byHandle.length);
                }
                slot = nextSlot++;
            }
            byHandle[slot] = a;
            return (long) generations[slot] << 32 | slot;
        }
    }

    /** The array of a live handle. */
    public static NDArray fromHandle(long h) {
        synchronized (HANDLES_LOCK) {
            return lookup(h);
        }
    }

    /** The slot of a live handle, or -1. Under HANDLES_LOCK. */
    private static int liveSlot(long h) {
        int slot = (int) h;
        if (slot <= 0 || slot >= nextSlot || byHandle[slot] == null || generations[slot] != (int) (h >>> 32)) return -1;
        return slot;
    }

    private static NDArray lookup(long h) {  // under HANDLES_LOCK
        int slot = liveSlot(h);
        if (slot < 0) throw new IllegalArgumentException("expected a live array handle. Received: " + h);
        return byHandle[slot];
    }

    /** Closes the array of handle {@code h} and frees the handle. Idempotent (0 and stale handles: nothing). */
    public static void closeHandle(long h) {
        NDArray a;
        synchronized (HANDLES_LOCK) {
            a = unregister(h);
        }
        if (a != null) a.close();
    }

    /** Frees handle h and returns its array (null for 0 and stale handles). Under HANDLES_LOCK. */
    private static NDArray unregister(long h) {
        int slot = liveSlot(h);
        if (slot < 0) return null;
        NDArray a = byHandle[slot];
        byHandle[slot] = null;
        generations[slot]++;
        freeSlots[freeCount++] = slot;
        return a;
    }

    /** Closes {@code done}, then returns the handle of a new array {@code a op b} (BinaryOp of ordinal {@code op}). */
    public static long binaryHandle(int op, long a, long b, long done) {
        NDArray[] xy = liveOperands(a, b, done);
        return registerResult(xy[0].binary(BINARY_OPS[op], xy[1]));
    }

    /** Closes {@code done}, then returns the arrays of handles {@code a} and {@code b} (one lock for all three). */
    private static NDArray[] liveOperands(long a, long b, long done) {
        NDArray x, y, dead;
        synchronized (HANDLES_LOCK) {
            dead = unregister(done);
            int sa = liveSlot(a), sb = liveSlot(b);
            x = sa < 0 ? null : byHandle[sa];
            y = sb < 0 ? null : byHandle[sb];
        }
        if (dead != null) dead.close();
        if (x == null || y == null) throw new IllegalArgumentException("expected a live array handle. Received: " + (x == null ? a : b));
        return new NDArray[] {x, y};
    }

    /** Closes {@code done}, then returns the handle of a new array {@code a @ b} (NumPy matmul, as {@link #matmul}). */
    public static long matmulHandle(long a, long b, long done) {
        NDArray[] xy = liveOperands(a, b, done);
        return registerResult(xy[0].matmul(xy[1]));
    }

    /** Closes {@code done}, then returns the handle of a new array {@code op(x)} (UnaryOp of ordinal {@code op}). */
    public static long unaryHandle(int op, long x, long done) {
        closeHandle(done);
        NDArray a;
        synchronized (HANDLES_LOCK) {
            a = lookup(x);
        }
        return registerResult(a.unary(UNARY_OPS[op]));
    }

    /**
     * Closes {@code done}, then returns the handle of a new array {@code a op s}, or {@code s op a}
     * if {@code scalarFirst}, where {@code s} is a Python float (a weak float64 scalar, as {@link #scalar(double)}).
     */
    public static long binaryDoubleHandle(int op, long a, double s, boolean scalarFirst, long done) {
        closeHandle(done);
        NDArray x = fromHandle(a);
        try (NDArray c = scalar(s)) {
            return registerResult(scalarFirst ? c.binary(BINARY_OPS[op], x) : x.binary(BINARY_OPS[op], c));
        }
    }

    /** As binaryDoubleHandle for a Python int {@code s} (a weak int64 scalar, as {@link #scalar(long)}). */
    public static long binaryLongHandle(int op, long a, long s, boolean scalarFirst, long done) {
        closeHandle(done);
        NDArray x = fromHandle(a);
        try (NDArray c = scalar(s)) {
            return registerResult(scalarFirst ? c.binary(BINARY_OPS[op], x) : x.binary(BINARY_OPS[op], c));
        }
    }

    // The same entry points through a per-thread argument frame: Python writes an op's arguments
    // into the frame (a direct buffer it sees as a memoryview) and calls a method that takes and
    // returns nothing. JPype converts each argument at about 0.1 us and a long result at about
    // 0.4 us, while a call without either costs about 0.3 us: JPype's share of `a + b` drops from
    // about 1.1 to 0.4 us (the frame's memoryview stores cost Python about 0.2 us).
    // Words of the frame, in native byte order:
    static final int FRAME_OP = 0;        // op ordinal
    static final int FRAME_A = 1;         // handle of a (or of x)
    static final int FRAME_B = 2;         // handle of b, or a Python scalar (long, or double bits)
    static final int FRAME_DONE = 3;      // handle to close on the way in (0: none)
    static final int FRAME_FLAGS = 4;     // 1: the scalar comes first
    static final int FRAME_RESULT = 5;    // out: the new array's handle
    static final int FRAME_WORDS = 8;
    private static final ThreadLocal<ByteBuffer> FRAMES = new ThreadLocal<>();

    /**
     * This thread's argument frame, made on first use. A thread's frame is the one its calls read;
     * a thread without one (say, re-attached to the JVM after Python handed out a frame on its
     * previous attachment) gets IllegalStateException from the frame methods, and Python asks again.
     */
    public static ByteBuffer callFrame() {
        ByteBuffer f = FRAMES.get();
        if (f == null) {
            f = ByteBuffer.allocateDirect(FRAME_WORDS * 8).order(ByteOrder.nativeOrder());
            FRAMES.set(f);
        }
        return f;
    }

    /** Whether this thread has its argument frame (Python's check after a frame call failed). */
    public static boolean hasCallFrame() { return FRAMES.get() != null; }

    private static ByteBuffer frame() {
        ByteBuffer f = FRAMES.get();
        if (f == null) throw new IllegalStateException("no call frame on this thread: call NDArray.callFrame() first");
        return f;
    }

    /** {@link #binaryHandle} with its arguments and result in this thread's frame. */
    public static void binaryFrame() {
        ByteBuffer f = frame();
        long h = binaryHandle((int) f.getLong(FRAME_OP * 8), f.getLong(FRAME_A * 8), f.getLong(FRAME_B * 8), f.getLong(FRAME_DONE * 8));
        f.putLong(FRAME_RESULT * 8, h);
    }

    /** {@link #unaryHandle} with its arguments and result in this thread's frame. */
    public static void unaryFrame() {
        ByteBuffer f = frame();
        f.putLong(FRAME_RESULT * 8, unaryHandle((int) f.getLong(FRAME_OP * 8), f.getLong(FRAME_A * 8), f.getLong(FRAME_DONE * 8)));
    }

    /** {@link #binaryDoubleHandle} with its arguments (the scalar as a double in word FRAME_B) and result in this thread's frame. */
    public static void binaryDoubleFrame() {
        ByteBuffer f = frame();
        f.putLong(FRAME_RESULT * 8, binaryDoubleHandle((int) f.getLong(FRAME_OP * 8), f.getLong(FRAME_A * 8), f.getDouble(FRAME_B * 8),
                (f.getLong(FRAME_FLAGS * 8) & 1) != 0, f.getLong(FRAME_DONE * 8)));
    }

    /** {@link #binaryLongHandle} with its arguments and result in this thread's frame. */
    public static void binaryLongFrame() {
        ByteBuffer f = frame();
        f.putLong(FRAME_RESULT * 8, binaryLongHandle((int) f.getLong(FRAME_OP * 8), f.getLong(FRAME_A * 8), f.getLong(FRAME_B * 8),
                (f.getLong(FRAME_FLAGS * 8) & 1) != 0, f.getLong(FRAME_DONE * 8)));
    }

    private static long registerResult(NDArray out) {
        try {
            return register(out);
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** "float32[2, 3]". */
    public String describe() { return Shapes.describe(dtype(), tensor.shape()); }

    @Override public String toString() {
        if (closed) return "NDArray(closed " + describe() + ")";
        StringBuilder s = new StringBuilder("NDArray(").append(describe()).append(", ").append(device());
        if (size() <= 16) {
            s.append(", ");
            if (dtype().isFloat()) s.append(Arrays.toString(toDoubleArray()));
            else if (dtype().isBool()) s.append(Arrays.toString(toBooleanArray()));
            else s.append(Arrays.toString(toLongArray()));
        }
        return s.append(")").toString();
    }

    /** Checks that every element a tensor can reach lies inside its buffer. */
    static void checkInside(String op, Tensor t) {
        if (t.size() == 0) return;
        long lo = t.offset(), hi = t.offset();
        for (int d = 0; d < t.rank(); d++) {
            long span = (t.shape()[d] - 1) * t.strides()[d];
            if (span < 0) lo += span;
            else hi += span;
        }
        long capacity = t.buffer().byteSize() / t.dtype().itemSize();
        if (lo < 0 || hi >= capacity) {
            throw new IndexOutOfBoundsException(op + ": the view reaches elements [" + lo + ", " + hi + "] outside its buffer of "
                    + capacity + " " + t.dtype() + " elements. Received: " + t);
        }
    }
}
