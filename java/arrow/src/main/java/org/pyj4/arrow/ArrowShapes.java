package org.pyj4.arrow;

/** Small shape arithmetic for Arrow columns: rows first, then one element's dimensions. */
final class ArrowShapes {
    private ArrowShapes() {}

    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** [rows, *element]. */
    static long[] prepend(long rows, long[] element) {
        long[] out = new long[element.length + 1];
        out[0] = rows;
        System.arraycopy(element, 0, out, 1, element.length);
        return out;
    }

    /** Axes for transposing [rows, *physical] into [rows, *logical] given an element permutation. */
    static int[] batchPermutation(int[] permutation) {
        int[] axes = new int[permutation.length + 1];
        for (int i = 0; i < permutation.length; i++) axes[i + 1] = permutation[i] + 1;
        return axes;
    }
}
