package org.pyj4.backend;

import java.util.Arrays;
import org.pyj4.memory.Buffer;
import org.pyj4.ndarray.DType;

/**
 * What a backend sees of an array: a buffer, a dtype, a shape, strides and an offset counted in
 * elements (strides may be 0 for broadcast dimensions, or negative). Element {@code i0..ik} lives at
 * element index {@code offset + sum(i_d * strides[d])} of the buffer. The arrays are not copied:
 * callers must not change them.
 */
public record Tensor(Buffer buffer, DType dtype, long[] shape, long[] strides, long offset) {

    public int rank() { return shape.length; }

    public long size() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** Row-major and dense, starting anywhere. */
    public boolean isContiguous() {
        if (size() == 0) return true;
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /** Row-major strides of a dense array of this shape. */
    public static long[] contiguousStrides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= Math.max(shape[d], 1);
        }
        return s;
    }

    @Override public String toString() {
        return "Tensor(" + dtype + Arrays.toString(shape) + ", strides=" + Arrays.toString(strides) + ", offset=" + offset + ")";
    }

    @Override public boolean equals(Object o) { return this == o; }
    @Override public int hashCode() { return System.identityHashCode(this); }
}
