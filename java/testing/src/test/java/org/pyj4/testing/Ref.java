package org.pyj4.testing;

import java.util.ArrayList;
import java.util.List;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.reference.JavaBackend;
import org.pyj4.ndarray.DType;

/** Small tensors on the reference backend for known-answer tests; {@link #close()} frees them all. */
final class Ref implements AutoCloseable {
    final JavaBackend backend = new JavaBackend();
    private final List<Tensor> made = new ArrayList<>();

    /** A contiguous tensor of the given values (converted to dtype like the suite's inputs). */
    Tensor of(DType dtype, long[] shape, double... values) {
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Values.fromDouble(dtype, values[i]);
        return bits(dtype, shape, bits);
    }

    Tensor of(DType dtype, double... values) { return of(dtype, new long[] {values.length}, values); }

    /** A contiguous tensor of integers (wrapped to dtype, or rounded once to a float dtype by the reference). */
    Tensor ints(DType dtype, long[] shape, long... values) {
        if (dtype.isFloat()) {
            Tensor src = bits(DType.INT64, shape, values);
            Tensor dst = zeros(dtype, shape);
            backend.copy(src, dst);
            return dst;
        }
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Values.normalize(dtype, values[i]);
        return bits(dtype, shape, bits);
    }

    Tensor ints(DType dtype, long... values) { return ints(dtype, new long[] {values.length}, values); }

    Tensor bits(DType dtype, long[] shape, long... bits) {
        Tensor t = Operand.of(dtype, shape, Layout.CONTIGUOUS, bits, 0).upload(backend);
        made.add(t);
        return t;
    }

    Tensor zeros(DType dtype, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        Tensor t = new Tensor(backend.allocate(n * dtype.itemSize()), dtype, shape, Tensor.contiguousStrides(shape), 0);
        made.add(t);
        return t;
    }

    /** Logical values (row-major) of a tensor, as raw bits. */
    long[] bitsOf(Tensor t) {
        long elements = t.buffer().byteSize() / t.dtype().itemSize();
        long[] storage = Operand.download(backend, t, elements);
        long[] out = new long[(int) t.size()];
        long[] counter = new long[t.rank()];
        for (int i = 0; i < out.length; i++) {
            long e = t.offset();
            for (int d = 0; d < counter.length; d++) e += counter[d] * t.strides()[d];
            out[i] = storage[(int) e];
            for (int d = counter.length - 1; d >= 0; d--) {
                if (++counter[d] < t.shape()[d]) break;
                counter[d] = 0;
            }
        }
        return out;
    }

    double[] values(Tensor t) {
        long[] bits = bitsOf(t);
        double[] v = new double[bits.length];
        for (int i = 0; i < v.length; i++) v[i] = Values.toDouble(t.dtype(), bits[i]);
        return v;
    }

    long[] longs(Tensor t) {
        long[] bits = bitsOf(t);
        long[] v = new long[bits.length];
        for (int i = 0; i < v.length; i++) {
            DType d = t.dtype();
            v[i] = d.isFloat() ? (long) Values.toDouble(d, bits[i]) : d.isBool() ? (bits[i] != 0 ? 1 : 0) : bits[i];
        }
        return v;
    }

    @Override public void close() {
        for (Tensor t : made) t.buffer().release();
        made.clear();
    }
}
