package org.pyj4.backend.reference;

import org.pyj4.backend.Tensor;

/**
 * Visits the positions of a shape in row-major order and, for each, the element index of several
 * strided operands at once (an odometer: the last dimension moves fastest). Operands are usually
 * tensors of that shape, but may be any (strides, offset) pair, such as an output index with
 * stride 0 along reduced axes. Works in chunks so that callers can load, compute and store arrays.
 */
final class Walker {
    /** How many positions callers process at a time. */
    static final int CHUNK = 4096;

    private final long[] shape;
    private final long[][] strides;   // [operand][dim]
    private final long[] position;    // current element index of each operand
    private final long[] counter;     // current index along each dim
    private final int chunk;          // positions per call of next(): CHUNK, or fewer for small shapes
    private long remaining;

    Walker(long[] shape, long[][] strides, long[] offsets) {
        this.shape = shape;
        this.strides = strides;
        this.position = offsets.clone();
        this.counter = new long[shape.length];
        long n = 1;
        for (long d : shape) n *= d;
        this.remaining = n;
        this.chunk = (int) Math.min(CHUNK, n);
    }

    /** Walks {@code shape} over tensors that all have that shape. */
    static Walker over(long[] shape, Tensor... tensors) {
        long[][] strides = new long[tensors.length][];
        long[] offsets = new long[tensors.length];
        for (int k = 0; k < tensors.length; k++) {
            strides[k] = tensors[k].strides();
            offsets[k] = tensors[k].offset();
        }
        return new Walker(shape, strides, offsets);
    }

    /** How many positions one {@link #next} call returns at most: size arrays for a chunk with this. */
    int chunk() { return chunk; }

    /** A new index array for each operand, sized for one chunk. */
    long[][] newIndexArrays() { return new long[position.length][chunk]; }

    /**
     * Writes the element indices of the next positions into idx[operand][0..n) and returns n, at
     * most {@link #chunk()}; 0 once every position was visited.
     */
    int next(long[][] idx) {
        int n = (int) Math.min(chunk, remaining);
        int ops = position.length;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < ops; k++) idx[k][i] = position[k];
            advance();
        }
        remaining -= n;
        return n;
    }

    private void advance() {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++counter[d] < shape[d]) {
                for (int k = 0; k < position.length; k++) position[k] += strides[k][d];
                return;
            }
            // Carry: back to the start of this dimension, then step the next outer one.
            counter[d] = 0;
            for (int k = 0; k < position.length; k++) position[k] -= strides[k][d] * (shape[d] - 1);
        }
    }

    /** The element index of row-major position {@code flat} of tensor t (flat in [0, t.size())). */
    static long elementIndex(Tensor t, long flat) {
        long[] shape = t.shape();
        long[] strides = t.strides();
        long e = t.offset();
        for (int d = shape.length - 1; d >= 0; d--) {
            e += (flat % shape[d]) * strides[d];
            flat /= shape[d];
        }
        return e;
    }
}
