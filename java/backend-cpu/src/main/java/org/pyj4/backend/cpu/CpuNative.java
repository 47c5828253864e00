package org.pyj4.backend.cpu;

/**
 * The JNI entry points of libpyj4cpu (native/jni/cpu_jni.cpp). Tensors travel packed in a long[]
 * (see {@link Descriptors}); the native side validates every descriptor before touching memory and
 * throws IllegalArgumentException, ShapeException, DTypeException, IndexOutOfBoundsException or
 * BackendException. Only {@link CpuBackend} calls these, after its own checks.
 */
final class CpuNative {
    private CpuNative() {}

    static native void copy(long[] desc);

    static native void unary(int op, long[] desc);

    static native void binary(int op, long[] desc);

    /** unary of dense operands of one shape: n elements from element {@code xOffset} of x's buffer, and so on. */
    static native void unaryDense(int op, int dtype, int outDtype, long n, long x, long xBytes, long xOffset,
                                  long out, long outBytes, long outOffset, int outFlags);

    /** binary of dense operands of one shape and dtype (see unaryDense). */
    static native void binaryDense(int op, int dtype, int outDtype, long n, long a, long aBytes, long aOffset,
                                   long b, long bBytes, long bOffset, long out, long outBytes, long outOffset, int outFlags);

    static native void where(long[] desc);

    static native void reduce(int op, int[] axes, long[] desc);

    static native void matmul(long[] desc);

    static native void gather(long[] desc);

    static native void scatter(long[] desc);

    static native void random(int kind, long seed, long counter, double a, double b, long[] desc);

    static native void optimizerStep(int kind, int stateCount, double[] hyper, long[] desc);

    /** Zero-filled memory aligned to 64 bytes, or 0 if none; free with the same byte count. */
    static native long allocate(long bytes);

    static native long allocateUninitialized(long bytes);

    static native void free(long address, long bytes);

    static native int threads();

    static native void setThreads(int threads);

    /** Loads OpenBLAS now (null: the system's libopenblas.so.0); BackendException if it cannot. */
    static native void loadBlas(String path);

    /** Where the first float matmul will load OpenBLAS from (null: the system's). */
    static native void setBlasPath(String path);

    /** "isa=avx512 threads=2 cpus=2 blas=OpenBLAS core=SkylakeX ..." */
    static native String info();

    /** Switches the kernels' instruction set: "baseline", "avx2" or "avx512" (if the CPU has it). */
    static native void selectIsa(String name);
}
