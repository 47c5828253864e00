package org.pyj4.backend.cpu;

/**
 * The JNI entry points of libpyj4cpu for the layer primitives (native/jni/layers_jni.cpp, C ABI in
 * native/cpu/pyj4_cpu_layers.h). Tensors travel packed as for {@link CpuNative} (see
 * {@link Descriptors}); windows as the 8 numbers of {@link org.pyj4.backend.Window} in component
 * order. Only {@link CpuBackend} calls these, after its own checks.
 */
final class CpuLayerNative {
    private CpuLayerNative() {}

    static native void scatterAdd(long[] desc);

    static native void im2col(int[] window, long[] desc);

    static native void col2im(int[] window, long[] desc);

    /** Tensors x, kernel, out[, bias]. */
    static native void conv2d(int[] window, boolean withBias, long[] desc);

    /** Tensors x, dy, dkernel[, dbias]. */
    static native void conv2dKernelGrad(int[] window, boolean withBias, long[] desc);

    static native void pool(int kind, int[] window, boolean withArgmax, long[] desc);

    static native void rnnCell(int kind, int count, long[] desc);

    /** Forward: xproj, u, gates, c, h; grad: gates, c, u, dh, dcLast, dz (all float32, rows contiguous). */
    static native void lstmSequence(boolean grad, long[] desc);
}
