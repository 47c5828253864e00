package org.pyj4.ndarray;

import java.util.Arrays;

/** Shape arithmetic shared by the NDArray layer: broadcasting, axes, formatting. */
public final class Shapes {
    private Shapes() {}

    public static long size(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public static String format(long[] shape) { return Arrays.toString(shape); }

    /** "float32[2, 3]": how error messages name an array. */
    public static String describe(DType dtype, long[] shape) { return dtype + Arrays.toString(shape); }

    /** NumPy broadcasting of two shapes; throws naming the op and both shapes. */
    public static long[] broadcast(String op, long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long da = i < n - a.length ? 1 : a[i - (n - a.length)];
            long db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": operands could not be broadcast together. Received: shapes "
                        + format(a) + " and " + format(b));
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Wraps a possibly negative axis into [0, rank); throws AxisException like NumPy. */
    public static int axis(String op, int axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw new AxisException(op + ": axis " + axis + " is out of bounds for array of dimension " + rank);
        }
        return axis < 0 ? axis + rank : axis;
    }

    /** Normalised, sorted, distinct axes; null means every axis. */
    public static int[] axes(String op, int[] axes, int rank) {
        if (axes == null) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) out[i] = axis(op, axes[i], rank);
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) throw new ShapeException(op + ": duplicate value in 'axis'. Received: axis=" + Arrays.toString(axes));
        }
        return out;
    }

    static void checkShape(String op, long[] shape) {
        for (long d : shape) {
            if (d < 0) throw new ShapeException(op + ": negative dimensions are not allowed. Received: shape=" + format(shape));
        }
        size(shape); // overflow check
    }
}
