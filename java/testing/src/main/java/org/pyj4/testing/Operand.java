package org.pyj4.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.pyj4.backend.Backend;
import org.pyj4.backend.Tensor;
import org.pyj4.memory.Buffer;
import org.pyj4.ndarray.DType;

/**
 * A test tensor as host data: the raw bits of every element of its buffer (gaps included) and the
 * view (shape, strides, offset) that picks its logical elements. The same Operand uploads to any
 * backend, so the reference and the backend under test see identical inputs; outputs are read back
 * whole, so writes outside the view show up too.
 */
public final class Operand {
    public final DType dtype;
    public final long[] shape;
    public final long[] strides;
    public final long offset;
    public final Layout layout;
    /** Raw bits of every buffer element. */
    public final long[] storage;

    public Operand(DType dtype, long[] shape, Layout layout, long[] storage) {
        Layout.Placement p = layout.place(shape);
        if (storage.length != p.elements()) throw new IllegalArgumentException("storage of " + storage.length + " elements, expected " + p.elements());
        this.dtype = dtype;
        this.shape = shape.clone();
        this.strides = p.strides();
        this.offset = p.offset();
        this.layout = layout;
        this.storage = storage;
    }

    /** Random values from the domain in every buffer element. */
    public static Operand random(DType dtype, long[] shape, Layout layout, Values.Domain domain, SplittableRandom rnd) {
        long n = layout.place(shape).elements();
        long[] storage = new long[Math.toIntExact(n)];
        for (int i = 0; i < storage.length; i++) storage[i] = Values.random(dtype, domain, rnd);
        return new Operand(dtype, shape, layout, storage);
    }

    /** Given logical values (row-major), in the layout; gaps hold {@code fill}. Not for BROADCAST. */
    public static Operand of(DType dtype, long[] shape, Layout layout, long[] logical, long fill) {
        long[] storage = new long[Math.toIntExact(layout.place(shape).elements())];
        Arrays.fill(storage, fill);
        Operand o = new Operand(dtype, shape, layout, storage);
        long[] at = o.elementIndices();
        for (int i = 0; i < at.length; i++) storage[(int) at[i]] = logical[i];
        return o;
    }

    public long size() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** The buffer element of each logical position, in row-major order. */
    public long[] elementIndices() {
        long[] at = new long[Math.toIntExact(size())];
        long[] counter = new long[shape.length];
        for (int i = 0; i < at.length; i++) {
            long e = offset;
            for (int d = 0; d < shape.length; d++) e += counter[d] * strides[d];
            at[i] = e;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++counter[d] < shape[d]) break;
                counter[d] = 0;
            }
        }
        return at;
    }

    /** Logical values (row-major) of this operand's storage, or of another storage of the same layout. */
    public long[] logical(long[] storageBits) {
        long[] at = elementIndices();
        long[] v = new long[at.length];
        for (int i = 0; i < at.length; i++) v[i] = storageBits[(int) at[i]];
        return v;
    }

    public long[] logical() { return logical(storage); }

    /** Allocates a buffer on the backend, writes the storage into it, and returns the view. */
    public Tensor upload(Backend backend) {
        int item = dtype.itemSize();
        Buffer buffer = backend.allocate((long) storage.length * item);
        ByteBuffer bytes = ByteBuffer.allocate(storage.length * item).order(ByteOrder.nativeOrder());
        for (long bits : storage) Values.put(bytes, dtype, bits);
        bytes.flip();
        backend.write(buffer, 0, bytes);
        return new Tensor(buffer, dtype, shape.clone(), strides.clone(), offset);
    }

    /** Every element of the tensor's buffer, as raw bits. */
    public static long[] download(Backend backend, Tensor t, long elements) {
        int item = t.dtype().itemSize();
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(elements * item)).order(ByteOrder.nativeOrder());
        backend.read(t.buffer(), 0, bytes);
        bytes.flip();
        long[] bits = new long[(int) elements];
        for (int i = 0; i < bits.length; i++) bits[i] = Values.get(bytes, t.dtype());
        return bits;
    }

    public long[] download(Backend backend, Tensor t) { return download(backend, t, storage.length); }

    @Override public String toString() {
        return dtype + Arrays.toString(shape) + " " + layout.name().toLowerCase() + " (strides " + Arrays.toString(strides) + ", offset " + offset + ")";
    }
}
