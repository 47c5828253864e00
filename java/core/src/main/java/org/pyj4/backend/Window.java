package org.pyj4.backend;

/**
 * Where a 2-D sliding window reads its input, for {@link Backend#im2col}, {@link Backend#col2im} and
 * {@link Backend#pool}: a {@code kernelH x kernelW} window, moved by {@code strideH, strideW},
 * whose taps are {@code dilationH, dilationW} apart, starting {@code padTop, padLeft} before the
 * input's first row and column. Output position (oh, ow) and tap (kh, kw) read input position
 * <pre>
 *     h = oh * strideH - padTop  + kh * dilationH
 *     w = ow * strideW - padLeft + kw * dilationW
 * </pre>
 * and a position outside the input is padding. The output size is the caller's choice (the shapes of
 * the tensors passed); {@link #outputSize} gives the usual one.
 */
public record Window(int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft) {
    public Window {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || padTop < 0 || padLeft < 0) {
            throw new IllegalArgumentException("Window: expected kernel, strides and dilation >= 1 and padding >= 0. Received: " + describe(
                    kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft));
        }
    }

    /** A window without dilation or padding. */
    public static Window of(int kernelH, int kernelW, int strideH, int strideW) {
        return new Window(kernelH, kernelW, strideH, strideW, 1, 1, 0, 0);
    }

    /** How far the window reaches along H and W: (kernel - 1) * dilation + 1. */
    public long extentH() { return (long) (kernelH - 1) * dilationH + 1; }

    public long extentW() { return (long) (kernelW - 1) * dilationW + 1; }

    /**
     * The output length along one axis for an input of {@code in} with {@code padBefore + padAfter}
     * padding: floor((in + pads - extent) / stride) + 1, or 0 when the window does not fit.
     */
    public static long outputSize(long in, long extent, int stride, long padBefore, long padAfter) {
        long span = in + padBefore + padAfter - extent;
        return span < 0 ? 0 : span / stride + 1;
    }

    @Override public String toString() {
        return describe(kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft);
    }

    private static String describe(int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl) {
        return "Window(kernel=" + kh + "x" + kw + ", strides=" + sh + "x" + sw + ", dilation=" + dh + "x" + dw + ", pad top/left=" + pt + "/" + pl + ")";
    }
}
