package org.pyj4.ndarray;

/**
 * One element of an index expression, as in NumPy: {@code a[1, 2:8:2, None, ..., idx, mask]} is
 * {@code a.get(at(1), slice(2L, 8L, 2L), newAxis(), ellipsis(), array(idx), array(mask))}.
 * Integers and slices give views; integer and boolean arrays gather (a copy).
 */
public final class Index {
    enum Kind { AT, SLICE, NEW_AXIS, ELLIPSIS, ARRAY }

    final Kind kind;
    final long at;
    final Long start, stop, step;
    final NDArray array;

    private Index(Kind kind, long at, Long start, Long stop, Long step, NDArray array) {
        this.kind = kind;
        this.at = at;
        this.start = start;
        this.stop = stop;
        this.step = step;
        this.array = array;
    }

    /** An integer index (negative counts from the end); removes the axis. */
    public static Index at(long i) { return new Index(Kind.AT, i, null, null, null, null); }

    /** A Python slice start:stop:step; null parts take their defaults. */
    public static Index slice(Long start, Long stop, Long step) { return new Index(Kind.SLICE, 0, start, stop, step, null); }

    /** The whole axis, {@code :}. */
    public static Index all() { return slice(null, null, null); }

    /** {@code None}: a new axis of length 1. */
    public static Index newAxis() { return new Index(Kind.NEW_AXIS, 0, null, null, null, null); }

    /** {@code ...}: as many whole axes as needed. */
    public static Index ellipsis() { return new Index(Kind.ELLIPSIS, 0, null, null, null, null); }

    /** An integer array (gather along an axis) or a boolean mask (selects where true). */
    public static Index array(NDArray indices) { return new Index(Kind.ARRAY, 0, null, null, null, indices); }

    /** How many axes of the indexed array this element consumes. */
    int consumes() {
        switch (kind) {
            case AT: case SLICE: return 1;
            case ARRAY: return array.dtype() == DType.BOOL ? Math.max(array.ndim(), 1) : 1;
            default: return 0;
        }
    }
}
