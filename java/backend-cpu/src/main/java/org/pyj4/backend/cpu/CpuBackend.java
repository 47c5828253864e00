package org.pyj4.backend.cpu;

import java.nio.ByteBuffer;
import org.pyj4.backend.Backend;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.Checks;
import org.pyj4.backend.OptimizerKind;
import org.pyj4.backend.PoolKind;
import org.pyj4.backend.RandomKind;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.RnnCell;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.UnaryOp;
import org.pyj4.backend.Window;
import org.pyj4.backend.reference.JavaBackend;
import org.pyj4.memory.Buffer;
import org.pyj4.memory.HostBuffer;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.Device;

/**
 * The native CPU backend: kernels in native/cpu (SIMD chosen for the CPU at run time, a small
 * thread pool, OpenBLAS for float GEMM) reached through JNI. Host memory is the same
 * {@link HostBuffer} as the reference backend's, so arrays move between the two without copies.
 *
 * <p>Every primitive first runs {@link Checks} (the exceptions callers see are the reference
 * backend's), then hands packed descriptors to native code, which validates them again before it
 * touches memory. Buffers are retained for the duration of each native call.
 */
public final class CpuBackend implements Backend {
    /** Host transfers are plain memory copies: the reference backend's do exactly that. */
    private static final JavaBackend HOST = new JavaBackend();

    CpuBackend() {}

    @Override public String name() { return "cpu"; }

    @Override public Device device() { return Device.CPU; }

    /** Zero-filled, 64-byte aligned host memory, counted in MemoryStats and freed on last release. */
    @Override public Buffer allocate(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("allocate: expected a size >= 0. Received: " + bytes);
        long address = CpuNative.allocate(bytes);
        if (address == 0) throw new OutOfMemoryError("cpu backend: could not allocate " + bytes + " bytes of host memory");
        return HostBuffer.adopt(address, bytes, () -> CpuNative.free(address, bytes));
    }

    /** As {@link #allocate}, without the zero-fill (a recycled block keeps what it held). */
    @Override public Buffer allocateUninitialized(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("allocate: expected a size >= 0. Received: " + bytes);
        if (bytes <= SmallBlocks.MAX_BYTES) return SMALL.allocate(bytes);
        long address = CpuNative.allocateUninitialized(bytes);
        if (address == 0) throw new OutOfMemoryError("cpu backend: could not allocate " + bytes + " bytes of host memory");
        return HostBuffer.adopt(address, bytes, () -> CpuNative.free(address, bytes));
    }

    private static final SmallBlocks SMALL = new SmallBlocks();

    /**
     * Blocks of at most MAX_BYTES that arrays let go of, kept for the next array of their size class
     * (a multiple of 64 bytes) instead of going back to native malloc: for an op on a few elements, a
     * malloc/free pair of 64-byte aligned blocks and the two JNI crossings cost about as much as the
     * op itself. At most PER_CLASS blocks per class (256 KiB in all) wait here; they are not counted
     * in MemoryStats, which counts live arrays (as for the native allocator's own cache).
     */
    private static final class SmallBlocks {
        static final int MAX_BYTES = 1024;
        static final int PER_CLASS = 16;
        private final long[][] free = new long[MAX_BYTES / 64][PER_CLASS];
        private final int[] count = new int[MAX_BYTES / 64];

        Buffer allocate(long bytes) {
            int c = (int) Math.max(bytes - 1, 0) >> 6;  // class c holds blocks of (c + 1) * 64 bytes
            long capacity = (c + 1) * 64L;
            long address = take(c);
            if (address == 0) {
                address = CpuNative.allocateUninitialized(capacity);
                if (address == 0) throw new OutOfMemoryError("cpu backend: could not allocate " + bytes + " bytes of host memory");
            }
            long a = address;
            return HostBuffer.adopt(a, bytes, () -> {
                if (!give(c, a)) CpuNative.free(a, capacity);
            });
        }

        private synchronized long take(int c) { return count[c] == 0 ? 0 : free[c][--count[c]]; }

        private synchronized boolean give(int c, long address) {
            if (count[c] == PER_CLASS) return false;
            free[c][count[c]++] = address;
            return true;
        }
    }

    @Override public void write(Buffer dst, long byteOffset, ByteBuffer src) { HOST.write(dst, byteOffset, src); }

    @Override public void read(Buffer src, long byteOffset, ByteBuffer dst) { HOST.read(src, byteOffset, dst); }

    @Override public void copy(Tensor src, Tensor dst) {
        Checks.copy(device(), src, dst);
        try (Descriptors d = Descriptors.of(src, dst)) {
            CpuNative.copy(d.words);
        }
    }

    @SuppressWarnings("try")  // the Descriptors only hold the buffers while the call runs
    @Override public void unary(UnaryOp op, Tensor x, Tensor out) {
        Checks.unary(device(), op, x, out);
        if (x.isContiguous() && out.isContiguous()) {  // the usual case: scalars describe both (CpuNative.unaryDense)
            try (Descriptors d = Descriptors.hold(x, out)) {
                HostBuffer bx = (HostBuffer) x.buffer(), bo = (HostBuffer) out.buffer();
                CpuNative.unaryDense(op.ordinal(), x.dtype().ordinal(), out.dtype().ordinal(), x.size(),
                        bx.address(), bx.byteSize(), x.offset(), bo.address(), bo.byteSize(), out.offset(), Descriptors.flags(bo));
            }
            return;
        }
        try (Descriptors d = Descriptors.of(x, out)) {
            CpuNative.unary(op.ordinal(), d.words);
        }
    }

    @SuppressWarnings("try")
    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Checks.binary(device(), op, a, b, out);
        if (a.isContiguous() && b.isContiguous() && out.isContiguous()) {  // the usual case, as in unary
            try (Descriptors d = Descriptors.hold(a, b, out)) {
                HostBuffer ba = (HostBuffer) a.buffer(), bb = (HostBuffer) b.buffer(), bo = (HostBuffer) out.buffer();
                CpuNative.binaryDense(op.ordinal(), a.dtype().ordinal(), out.dtype().ordinal(), a.size(),
                        ba.address(), ba.byteSize(), a.offset(), bb.address(), bb.byteSize(), b.offset(),
                        bo.address(), bo.byteSize(), out.offset(), Descriptors.flags(bo));
            }
            return;
        }
        try (Descriptors d = Descriptors.of(a, b, out)) {
            CpuNative.binary(op.ordinal(), d.words);
        }
    }

    @Override public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        Checks.where(device(), cond, a, b, out);
        try (Descriptors d = Descriptors.of(cond, a, b, out)) {
            CpuNative.where(d.words);
        }
    }

    @Override public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        Checks.reduce(device(), op, x, axes, out);
        try (Descriptors d = Descriptors.of(x, out)) {
            CpuNative.reduce(op.ordinal(), axes.clone(), d.words);
        }
    }

    @Override public void matmul(Tensor a, Tensor b, Tensor out) {
        Checks.matmul(device(), a, b, out);
        try (Descriptors d = Descriptors.of(a, b, out)) {
            CpuNative.matmul(d.words);
        }
    }

    @Override public void gather(Tensor x, Tensor index, Tensor out) {
        Checks.gather(device(), x, index, out);
        try (Descriptors d = Descriptors.of(x, index, out)) {
            CpuNative.gather(d.words);
        }
    }

    @Override public void scatter(Tensor dst, Tensor index, Tensor values) {
        Checks.scatter(device(), dst, index, values);
        try (Descriptors d = Descriptors.of(dst, index, values)) {
            CpuNative.scatter(d.words);
        }
    }

    @Override public void random(RandomKind kind, long seed, long counter, double a, double b, Tensor out) {
        Checks.random(device(), kind, out);
        try (Descriptors d = Descriptors.of(out)) {
            CpuNative.random(kind.ordinal(), seed, counter, a, b, d.words);
        }
    }

    @Override public void optimizerStep(OptimizerKind kind, Tensor param, Tensor grad, Tensor[] state, double[] hyper) {
        Checks.optimizerStep(device(), kind, param, grad, state, hyper);
        Tensor[] all = new Tensor[2 + state.length];
        all[0] = param;
        all[1] = grad;
        System.arraycopy(state, 0, all, 2, state.length);
        try (Descriptors d = Descriptors.of(all)) {
            CpuNative.optimizerStep(kind.ordinal(), state.length, hyper.clone(), d.words);
        }
    }

    // ------------------------------------------------------------------ layer primitives (native/cpu/pyj4_cpu_layers.h)

    @Override public void scatterAdd(Tensor dst, Tensor index, Tensor values) {
        Checks.scatterAdd(device(), dst, index, values);
        try (Descriptors d = Descriptors.of(dst, index, values)) {
            CpuLayerNative.scatterAdd(d.words);
        }
    }

    @Override public void im2col(Tensor x, Window window, Tensor cols) {
        Checks.im2col(device(), x, window, cols);
        try (Descriptors d = Descriptors.of(x, cols)) {
            CpuLayerNative.im2col(windowValues(window), d.words);
        }
    }

    @Override public void col2im(Tensor cols, Window window, Tensor x) {
        Checks.col2im(device(), cols, window, x);
        try (Descriptors d = Descriptors.of(cols, x)) {
            CpuLayerNative.col2im(windowValues(window), d.words);
        }
    }

    @Override public void conv2d(Tensor x, Tensor kernel, Tensor bias, Window window, Tensor out) {
        Checks.conv2d(device(), x, kernel, bias, window, out);
        try (Descriptors d = bias == null ? Descriptors.of(x, kernel, out) : Descriptors.of(x, kernel, out, bias)) {
            CpuLayerNative.conv2d(windowValues(window), bias != null, d.words);
        }
    }

    @Override public void conv2dKernelGrad(Tensor x, Tensor dy, Window window, Tensor dkernel, Tensor dbias) {
        Checks.conv2dKernelGrad(device(), x, dy, window, dkernel, dbias);
        try (Descriptors d = dbias == null ? Descriptors.of(x, dy, dkernel) : Descriptors.of(x, dy, dkernel, dbias)) {
            CpuLayerNative.conv2dKernelGrad(windowValues(window), dbias != null, d.words);
        }
    }

    @Override public void pool(PoolKind kind, Tensor x, Window window, Tensor out, Tensor argmax) {
        Checks.pool(device(), kind, x, window, out, argmax);
        try (Descriptors d = argmax == null ? Descriptors.of(x, out) : Descriptors.of(x, out, argmax)) {
            CpuLayerNative.pool(kind.ordinal(), windowValues(window), argmax != null, d.words);
        }
    }

    @Override public void rnnCell(RnnCell kind, Tensor[] operands) {
        Checks.rnnCell(device(), kind, operands);
        try (Descriptors d = Descriptors.of(operands)) {
            CpuLayerNative.rnnCell(kind.ordinal(), operands.length, d.words);
        }
    }

    /** Fused in native code when every operand is float32 with contiguous rows; else the SPI's per-step default. */
    @Override public void lstmSequence(Tensor xproj, Tensor u, Tensor gates, Tensor c, Tensor h) {
        Checks.lstmSequence(device(), xproj, u, gates, c, h);
        if (!fusable(xproj, u, gates, c, h)) {
            Backend.super.lstmSequence(xproj, u, gates, c, h);
            return;
        }
        try (Descriptors d = Descriptors.of(xproj, u, gates, c, h)) {
            CpuLayerNative.lstmSequence(false, d.words);
        }
    }

    @Override public void lstmSequenceGrad(Tensor gates, Tensor c, Tensor u, Tensor dh, Tensor dcLast, Tensor dz) {
        Checks.lstmSequenceGrad(device(), gates, c, u, dh, dcLast, dz);
        if (!fusable(gates, c, u, dh, dcLast, dz)) {
            Backend.super.lstmSequenceGrad(gates, c, u, dh, dcLast, dz);
            return;
        }
        try (Descriptors d = Descriptors.of(gates, c, u, dh, dcLast, dz)) {
            CpuLayerNative.lstmSequence(true, d.words);
        }
    }

    /** What native/cpu/rnn_sequence.cpp takes: float32, unit stride along rows, rows at least a row apart, int32 strides. */
    private static boolean fusable(Tensor... ts) {
        for (Tensor t : ts) {
            long[] s = t.shape(), st = t.strides();
            int w = s.length - 1;
            if (t.dtype() != DType.FLOAT32 || (s[w] > 1 && st[w] != 1) || (s[w - 1] > 1 && st[w - 1] < s[w])) return false;
            for (int d = 0; d <= w; d++) if (st[d] < 0 || st[d] > Integer.MAX_VALUE || s[d] > Integer.MAX_VALUE) return false;
        }
        return true;
    }

    private static int[] windowValues(Window w) {
        return new int[] {w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.dilationH(), w.dilationW(), w.padTop(), w.padLeft()};
    }

    // ------------------------------------------------------------------ beyond the SPI

    /** Threads the kernels (and OpenBLAS) use; defaults to the CPUs this process may run on, or PYJ4_NUM_THREADS. */
    public int threads() { return CpuNative.threads(); }

    public void setThreads(int threads) { CpuNative.setThreads(threads); }

    /** One line: the instruction set in use, threads, and the BLAS with its kernel (once loaded). */
    public String info() { return CpuNative.info(); }

    @Override public String toString() { return "CpuBackend(" + info() + ")"; }
}
