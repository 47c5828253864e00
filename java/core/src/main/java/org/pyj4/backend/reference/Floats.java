package org.pyj4.backend.reference;

import org.pyj4.backend.Tensor;
import org.pyj4.memory.NativeMemory;
import org.pyj4.ndarray.DType;

/** One element of a float32 or float64 host tensor at a time, by element index (offset and strides already applied). */
final class Floats {
    private Floats() {}

    static double get(Tensor t, long element) {
        long base = Elements.base(t);
        return t.dtype() == DType.FLOAT64 ? NativeMemory.getDouble(base + element * 8) : NativeMemory.getFloat(base + element * 4);
    }

    /** Stores v rounded to t's dtype and returns the stored value, so that later math sees what was kept. */
    static double set(Tensor t, long element, double v) {
        long base = Elements.base(t);
        if (t.dtype() == DType.FLOAT64) {
            NativeMemory.putDouble(base + element * 8, v);
            return v;
        }
        float f = (float) v;
        NativeMemory.putFloat(base + element * 4, f);
        return f;
    }

    /** The element index of position (i0, i1, ...) of t. */
    static long at(Tensor t, long... position) {
        long e = t.offset();
        long[] strides = t.strides();
        for (int d = 0; d < position.length; d++) e += position[d] * strides[d];
        return e;
    }
}
