package org.pyj4.testing;

/** How a test tensor sits in its buffer. Every layout of a shape has the same logical elements. */
public enum Layout {
    /** Row-major and dense, offset 0. */
    CONTIGUOUS,
    /** Every other element along the last axis, starting at element 3: a sliced view with gaps. */
    STRIDED,
    /** The transpose of a row-major array of the reversed shape (axes reversed). */
    TRANSPOSED,
    /** Every axis flipped: all strides negative, the offset at the buffer's last element. */
    REVERSED,
    /** Stride 0 along axis 0 (a broadcast input); only for inputs. */
    BROADCAST;

    /** Layouts an output may have (a broadcast output would write one element many times). */
    public static final Layout[] OUTPUTS = {CONTIGUOUS, STRIDED, TRANSPOSED, REVERSED};

    /** The (strides, offset, buffer elements) of a view of {@code shape} in this layout. */
    Placement place(long[] shape) {
        int r = shape.length;
        long[] strides = new long[r];
        long offset = 0;
        long elements;
        switch (this) {
            case STRIDED: {
                long acc = 2;
                for (int d = r - 1; d >= 0; d--) {
                    strides[d] = acc;
                    acc *= Math.max(shape[d], 1);
                }
                offset = 3;
                elements = 3 + acc;
                break;
            }
            case TRANSPOSED: {
                long acc = 1;
                for (int d = 0; d < r; d++) {  // axis 0 moves fastest
                    strides[d] = acc;
                    acc *= Math.max(shape[d], 1);
                }
                elements = acc;
                break;
            }
            case REVERSED: {
                long acc = 1;
                for (int d = r - 1; d >= 0; d--) {
                    strides[d] = -acc;
                    offset += acc * Math.max(shape[d] - 1, 0);
                    acc *= Math.max(shape[d], 1);
                }
                elements = acc;
                break;
            }
            case BROADCAST: {
                long acc = 1;
                for (int d = r - 1; d >= 1; d--) {
                    strides[d] = acc;
                    acc *= Math.max(shape[d], 1);
                }
                if (r > 0) strides[0] = 0;
                elements = acc;
                break;
            }
            default: {
                long acc = 1;
                for (int d = r - 1; d >= 0; d--) {
                    strides[d] = acc;
                    acc *= Math.max(shape[d], 1);
                }
                elements = acc;
            }
        }
        return new Placement(strides, offset, elements);
    }

    record Placement(long[] strides, long offset, long elements) {}
}
