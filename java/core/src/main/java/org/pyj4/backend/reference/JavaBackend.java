package org.pyj4.backend.reference;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
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
import org.pyj4.memory.Buffer;
import org.pyj4.memory.HostBuffer;
import org.pyj4.memory.NativeMemory;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.Device;

/**
 * The reference backend, in plain Java: the definition of every primitive's result, which the
 * native backends are tested against (see the conformance suite in java/testing). Correct and
 * readable first; fast enough for tests.
 *
 * <p>Every op follows one pattern: check the call ({@link Checks}), walk the output's positions in
 * row-major order ({@link Walker}) a chunk at a time, load the inputs of the chunk into arrays
 * ({@link Elements}), compute each value ({@link Scalars}), store. Floats compute in double and are
 * rounded once to the output dtype; integers and bools compute in long and wrap to the output width.
 */
public final class JavaBackend implements Backend {
    @Override public String name() { return "java"; }

    @Override public Device device() { return Device.CPU; }

    @Override public Buffer allocate(long bytes) { return HostBuffer.allocate(bytes); }

    /** Copies src's remaining bytes and advances its position, like a relative bulk get. */
    @Override public void write(Buffer dst, long byteOffset, ByteBuffer src) {
        Checks.write(device(), dst, byteOffset, src);
        long to = ((HostBuffer) dst).address() + byteOffset;
        int n = src.remaining();
        if (src.isDirect()) {
            NativeMemory.copy(NativeMemory.addressOf(src) + src.position(), to, n);
        } else if (src.hasArray()) {
            NativeMemory.copyFromArray(src.array(), src.arrayOffset() + src.position(), to, n);
        } else {
            // A read-only heap buffer hides its array: go through a copy.
            byte[] tmp = new byte[n];
            src.duplicate().get(tmp);
            NativeMemory.copyFromArray(tmp, 0, to, n);
        }
        src.position(src.position() + n);
    }

    /** Fills dst's remaining bytes and advances its position, like a relative bulk put. */
    @Override public void read(Buffer src, long byteOffset, ByteBuffer dst) {
        Checks.read(device(), src, byteOffset, dst);
        long from = ((HostBuffer) src).address() + byteOffset;
        int n = dst.remaining();
        if (dst.isDirect()) {
            NativeMemory.copy(from, NativeMemory.addressOf(dst) + dst.position(), n);
        } else {
            NativeMemory.copyToArray(from, dst.array(), dst.arrayOffset() + dst.position(), n);
        }
        dst.position(dst.position() + n);
    }

    // ------------------------------------------------------------------ elementwise

    @Override public void copy(Tensor src, Tensor dst) {
        Checks.copy(device(), src, dst);
        Walker w = Walker.over(dst.shape(), src, dst);
        long[][] idx = w.newIndexArrays();
        DType from = src.dtype();
        if (from == dst.dtype()) {
            // Same dtype: move bits, so that every value (NaN payloads, -0.0) survives unchanged.
            long[] bits = new long[w.chunk()];
            for (int n; (n = w.next(idx)) > 0; ) {
                Elements.loadBits(src, idx[0], n, bits);
                Elements.storeBits(dst, idx[1], n, bits);
            }
        } else if (from.isFloat()) {
            // The store rounds to a float, truncates toward zero to an integer, or tests != 0 for bool.
            double[] v = new double[w.chunk()];
            for (int n; (n = w.next(idx)) > 0; ) {
                Elements.loadDoubles(src, idx[0], n, v);
                Elements.storeDoubles(dst, idx[1], n, v);
            }
        } else {
            // Integers and bools: exact in long; the store wraps, or rounds once to a float.
            long[] v = new long[w.chunk()];
            for (int n; (n = w.next(idx)) > 0; ) {
                Elements.loadLongs(src, idx[0], n, v);
                Elements.storeLongs(dst, idx[1], n, v);
            }
        }
    }

    @Override public void unary(UnaryOp op, Tensor x, Tensor out) {
        Checks.unary(device(), op, x, out);
        Walker w = Walker.over(out.shape(), x, out);
        long[][] idx = w.newIndexArrays();
        if (x.dtype().isFloat()) {
            double[] v = new double[w.chunk()];
            for (int n; (n = w.next(idx)) > 0; ) {
                Elements.loadDoubles(x, idx[0], n, v);
                for (int i = 0; i < n; i++) v[i] = Scalars.unary(op, v[i]);
                Elements.storeDoubles(out, idx[1], n, v);  // bool results are 0/1, stored as != 0
            }
        } else {
            boolean isBool = x.dtype().isBool();
            long[] v = new long[w.chunk()];
            for (int n; (n = w.next(idx)) > 0; ) {
                Elements.loadLongs(x, idx[0], n, v);
                for (int i = 0; i < n; i++) v[i] = Scalars.unary(op, v[i], isBool);
                Elements.storeLongs(out, idx[1], n, v);
            }
        }
    }

    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Checks.binary(device(), op, a, b, out);
        Walker w = Walker.over(out.shape(), a, b, out);
        long[][] idx = w.newIndexArrays();
        boolean compare = op.isComparison();
        long[] flags = new long[w.chunk()];
        if (a.dtype().isFloat()) {
            double[] x = new double[w.chunk()], y = new double[w.chunk()];
            for (int n; (n = w.next(idx)) > 0; ) {
                Elements.loadDoubles(a, idx[0], n, x);
                Elements.loadDoubles(b, idx[1], n, y);
                if (compare) {
                    for (int i = 0; i < n; i++) flags[i] = Scalars.compare(op, x[i], y[i]) ? 1 : 0;
                    Elements.storeLongs(out, idx[2], n, flags);
                } else {
                    for (int i = 0; i < n; i++) x[i] = Scalars.binary(op, x[i], y[i]);
                    Elements.storeDoubles(out, idx[2], n, x);
                }
            }
        } else {
            long[] x = new long[w.chunk()], y = new long[w.chunk()];
            for (int n; (n = w.next(idx)) > 0; ) {
                Elements.loadLongs(a, idx[0], n, x);
                Elements.loadLongs(b, idx[1], n, y);
                if (compare) {
                    for (int i = 0; i < n; i++) flags[i] = Scalars.compare(op, x[i], y[i]) ? 1 : 0;
                    Elements.storeLongs(out, idx[2], n, flags);
                } else {
                    for (int i = 0; i < n; i++) x[i] = Scalars.binary(op, x[i], y[i]);
                    Elements.storeLongs(out, idx[2], n, x);  // wraps to out's width
                }
            }
        }
    }

    @Override public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        Checks.where(device(), cond, a, b, out);
        Walker w = Walker.over(out.shape(), cond, a, b, out);
        long[][] idx = w.newIndexArrays();
        long[] c = new long[w.chunk()], x = new long[w.chunk()], y = new long[w.chunk()];
        for (int n; (n = w.next(idx)) > 0; ) {
            Elements.loadLongs(cond, idx[0], n, c);
            Elements.loadBits(a, idx[1], n, x);
            Elements.loadBits(b, idx[2], n, y);
            for (int i = 0; i < n; i++) x[i] = c[i] != 0 ? x[i] : y[i];
            Elements.storeBits(out, idx[3], n, x);
        }
    }

    // ------------------------------------------------------------------ reductions

    /**
     * One row-major pass over x. Each x position maps to an accumulator (the row-major index of its
     * out position: x's position with the reduced axes' indices dropped), so every accumulator sees
     * its elements in row-major order: sums and products are sequential in that order.
     */
    @Override public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        Checks.reduce(device(), op, x, axes, out);
        long outSize = out.size();
        if (outSize == 0) return;
        if (outSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("reduce " + op + ": the reference backend handles outputs of at most 2^31 elements. Received: out=" + Checks.describe(out));
        }
        boolean[] reduced = new boolean[x.rank()];
        for (int a : axes) reduced[a] = true;
        if (x.size() == 0) {
            // Every out element reduces an empty set: the identity, or no answer at all.
            String numpyName = op == ReduceOp.MAX ? "maximum" : op == ReduceOp.MIN ? "minimum" : null;
            if (numpyName != null) {
                throw new IllegalArgumentException("reduce " + op + ": zero-size array to reduction operation " + numpyName
                        + " which has no identity. Received: x=" + Checks.describe(x) + ", axes=" + Arrays.toString(axes));
            }
            if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
                throw new IllegalArgumentException("reduce " + op + ": attempt to get " + op.name().toLowerCase(Locale.ROOT) + " of an empty sequence. Received: x="
                        + Checks.describe(x) + ", axes=" + Arrays.toString(axes));
            }
            double identity = (op == ReduceOp.PROD || op == ReduceOp.ALL) ? 1 : 0;
            fill(out, identity);
            return;
        }

        // Operands of the walk over x: x itself; the accumulator index (row-major out strides, 0 on
        // reduced axes); the index along the reduced axis (for ARGMAX/ARGMIN).
        long[] accStrides = Tensor.contiguousStrides(out.shape());
        long[] axisStrides = new long[x.rank()];
        for (int d = 0; d < x.rank(); d++) {
            if (reduced[d]) {
                accStrides[d] = 0;
                axisStrides[d] = 1;
            }
        }
        Walker w = new Walker(x.shape(), new long[][] {x.strides(), accStrides, axisStrides}, new long[] {x.offset(), 0, 0});
        int accN = (int) outSize;

        switch (op) {
            case SUM: case PROD: {
                boolean sum = op == ReduceOp.SUM;
                if (out.dtype().isFloat()) {
                    double[] acc = new double[accN];
                    Arrays.fill(acc, sum ? 0.0 : 1.0);
                    forEachDouble(w, x, (i, v, axisIndex) -> acc[i] = sum ? acc[i] + v : acc[i] * v);
                    storeAll(out, acc);
                } else {
                    long[] acc = new long[accN];
                    Arrays.fill(acc, sum ? 0 : 1);
                    forEachLong(w, x, (i, v, axisIndex) -> acc[i] = sum ? acc[i] + v : acc[i] * v);
                    storeAll(out, acc);  // wraps to out's width, the same as wrapping at every step
                }
                break;
            }
            case MAX: case MIN: {
                boolean max = op == ReduceOp.MAX;
                if (x.dtype().isFloat()) {
                    double[] acc = new double[accN];
                    Arrays.fill(acc, max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                    // Math.max/min propagate NaN, and order -0.0 below 0.0.
                    forEachDouble(w, x, (i, v, axisIndex) -> acc[i] = max ? Math.max(acc[i], v) : Math.min(acc[i], v));
                    storeAll(out, acc);
                } else {
                    long[] acc = new long[accN];
                    Arrays.fill(acc, max ? Long.MIN_VALUE : Long.MAX_VALUE);
                    forEachLong(w, x, (i, v, axisIndex) -> acc[i] = max ? Math.max(acc[i], v) : Math.min(acc[i], v));
                    storeAll(out, acc);
                }
                break;
            }
            case ARGMAX: case ARGMIN: {
                boolean max = op == ReduceOp.ARGMAX;
                long[] arg = new long[accN];
                Arrays.fill(arg, -1);
                if (x.dtype().isFloat()) {
                    double[] best = new double[accN];
                    // First extreme wins; a NaN is more extreme than anything, so the first NaN wins.
                    forEachDouble(w, x, (i, v, axisIndex) -> {
                        boolean better = arg[i] < 0
                                || (!Double.isNaN(best[i]) && (Double.isNaN(v) || (max ? v > best[i] : v < best[i])));
                        if (better) {
                            best[i] = v;
                            arg[i] = axisIndex;
                        }
                    });
                } else {
                    long[] best = new long[accN];
                    forEachLong(w, x, (i, v, axisIndex) -> {
                        if (arg[i] < 0 || (max ? v > best[i] : v < best[i])) {
                            best[i] = v;
                            arg[i] = axisIndex;
                        }
                    });
                }
                storeAll(out, arg);
                break;
            }
            default: { // ANY, ALL: whether elements are nonzero (NaN is nonzero)
                boolean any = op == ReduceOp.ANY;
                long[] acc = new long[accN];
                Arrays.fill(acc, any ? 0 : 1);
                if (x.dtype().isFloat()) {
                    forEachDouble(w, x, (i, v, axisIndex) -> acc[i] = any ? acc[i] | (v != 0 ? 1 : 0) : acc[i] & (v != 0 ? 1 : 0));
                } else {
                    forEachLong(w, x, (i, v, axisIndex) -> acc[i] = any ? acc[i] | (v != 0 ? 1 : 0) : acc[i] & (v != 0 ? 1 : 0));
                }
                storeAll(out, acc);
            }
        }
    }

    private interface DoubleVisitor { void visit(int acc, double value, long axisIndex); }

    private interface LongVisitor { void visit(int acc, long value, long axisIndex); }

    /** Walks a reduction (operands: x, accumulator index, axis index), handing each x value to the visitor. */
    private static void forEachDouble(Walker w, Tensor x, DoubleVisitor visitor) {
        long[][] idx = w.newIndexArrays();
        double[] v = new double[w.chunk()];
        for (int n; (n = w.next(idx)) > 0; ) {
            Elements.loadDoubles(x, idx[0], n, v);
            for (int i = 0; i < n; i++) visitor.visit((int) idx[1][i], v[i], idx[2][i]);
        }
    }

    private static void forEachLong(Walker w, Tensor x, LongVisitor visitor) {
        long[][] idx = w.newIndexArrays();
        long[] v = new long[w.chunk()];
        for (int n; (n = w.next(idx)) > 0; ) {
            Elements.loadLongs(x, idx[0], n, v);
            for (int i = 0; i < n; i++) visitor.visit((int) idx[1][i], v[i], idx[2][i]);
        }
    }

    /** Stores values given in row-major order of t's positions. */
    private static void storeAll(Tensor t, double[] values) {
        Walker w = Walker.over(t.shape(), t);
        long[][] idx = w.newIndexArrays();
        double[] chunk = new double[w.chunk()];
        int done = 0;
        for (int n; (n = w.next(idx)) > 0; done += n) {
            System.arraycopy(values, done, chunk, 0, n);
            Elements.storeDoubles(t, idx[0], n, chunk);
        }
    }

    private static void storeAll(Tensor t, long[] values) {
        Walker w = Walker.over(t.shape(), t);
        long[][] idx = w.newIndexArrays();
        long[] chunk = new long[w.chunk()];
        int done = 0;
        for (int n; (n = w.next(idx)) > 0; done += n) {
            System.arraycopy(values, done, chunk, 0, n);
            Elements.storeLongs(t, idx[0], n, chunk);
        }
    }

    private static void fill(Tensor t, double value) {
        Walker w = Walker.over(t.shape(), t);
        long[][] idx = w.newIndexArrays();
        double[] chunk = new double[w.chunk()];
        Arrays.fill(chunk, value);
        for (int n; (n = w.next(idx)) > 0; ) Elements.storeDoubles(t, idx[0], n, chunk);
    }

    // ------------------------------------------------------------------ matmul

    /**
     * For each batch position: load a's m x k and b's k x n matrices into arrays, multiply, store.
     * Each out element is sum_p a[i,p] * b[p,j] accumulated in order p = 0..k-1, in double for
     * floats (rounded once), in long for integers (wrapped), and as "any (a and b)" for bools.
     */
    @Override public void matmul(Tensor a, Tensor b, Tensor out) {
        Checks.matmul(device(), a, b, out);
        int r = out.rank();
        long m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
        if (m * k > Integer.MAX_VALUE - 8 || k * n > Integer.MAX_VALUE - 8 || m * n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("matmul: the reference backend handles matrices of at most 2^31 elements. Received: a="
                    + Checks.describe(a) + ", b=" + Checks.describe(b));
        }
        if (out.size() == 0) return;
        long[] batchShape = Arrays.copyOf(out.shape(), r - 2);
        Walker batches = new Walker(batchShape,
                new long[][] {Arrays.copyOf(a.strides(), r - 2), Arrays.copyOf(b.strides(), r - 2), Arrays.copyOf(out.strides(), r - 2)},
                new long[] {a.offset(), b.offset(), out.offset()});
        long[][] idx = batches.newIndexArrays();
        boolean isFloat = out.dtype().isFloat();
        for (int count; (count = batches.next(idx)) > 0; ) {
            for (int i = 0; i < count; i++) {
                Tensor a2 = matrix(a, idx[0][i]);
                Tensor b2 = matrix(b, idx[1][i]);
                Tensor o2 = matrix(out, idx[2][i]);
                if (isFloat) {
                    double[] c = multiply(loadAllDoubles(a2), loadAllDoubles(b2), (int) m, (int) k, (int) n);
                    storeAll(o2, c);
                } else {
                    long[] c = multiply(loadAllLongs(a2), loadAllLongs(b2), (int) m, (int) k, (int) n);
                    storeAll(o2, c);  // bools: any product nonzero gives true
                }
            }
        }
    }

    /** The 2-D matrix of a batched tensor whose first element is at element index {@code start}. */
    private static Tensor matrix(Tensor t, long start) {
        int r = t.rank();
        return new Tensor(t.buffer(), t.dtype(), Arrays.copyOfRange(t.shape(), r - 2, r), Arrays.copyOfRange(t.strides(), r - 2, r), start);
    }

    private static double[] multiply(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        // i-p-j order reads rows of b; each c[i][j] still accumulates p = 0, 1, ... in order.
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double aip = a[i * k + p];
                for (int j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
            }
        }
        return c;
    }

    private static long[] multiply(long[] a, long[] b, int m, int k, int n) {
        long[] c = new long[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                long aip = a[i * k + p];
                for (int j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
            }
        }
        return c;
    }

    private static double[] loadAllDoubles(Tensor t) {
        double[] all = new double[(int) t.size()];
        Walker w = Walker.over(t.shape(), t);
        long[][] idx = w.newIndexArrays();
        double[] chunk = new double[w.chunk()];
        int done = 0;
        for (int n; (n = w.next(idx)) > 0; done += n) {
            Elements.loadDoubles(t, idx[0], n, chunk);
            System.arraycopy(chunk, 0, all, done, n);
        }
        return all;
    }

    private static long[] loadAllLongs(Tensor t) {
        long[] all = new long[(int) t.size()];
        Walker w = Walker.over(t.shape(), t);
        long[][] idx = w.newIndexArrays();
        long[] chunk = new long[w.chunk()];
        int done = 0;
        for (int n; (n = w.next(idx)) > 0; done += n) {
            Elements.loadLongs(t, idx[0], n, chunk);
            System.arraycopy(chunk, 0, all, done, n);
        }
        return all;
    }

    // ------------------------------------------------------------------ gather / scatter

    @Override public void gather(Tensor x, Tensor index, Tensor out) {
        Checks.gather(device(), x, index, out);
        long size = x.size();
        validateIndices("gather", "x", index, size);
        Walker w = Walker.over(out.shape(), index, out);
        long[][] idx = w.newIndexArrays();
        long[] at = new long[w.chunk()], bits = new long[w.chunk()];
        for (int n; (n = w.next(idx)) > 0; ) {
            Elements.loadLongs(index, idx[0], n, at);
            for (int i = 0; i < n; i++) at[i] = Walker.elementIndex(x, at[i]);
            Elements.loadBits(x, at, n, bits);
            Elements.storeBits(out, idx[1], n, bits);
        }
    }

    /** Writes in row-major order of index: with duplicate indices, the last value wins. */
    @Override public void scatter(Tensor dst, Tensor index, Tensor values) {
        Checks.scatter(device(), dst, index, values);
        long size = dst.size();
        validateIndices("scatter", "dst", index, size);
        Walker w = Walker.over(index.shape(), index, values);
        long[][] idx = w.newIndexArrays();
        long[] at = new long[w.chunk()], bits = new long[w.chunk()];
        for (int n; (n = w.next(idx)) > 0; ) {
            Elements.loadLongs(index, idx[0], n, at);
            for (int i = 0; i < n; i++) at[i] = Walker.elementIndex(dst, at[i]);
            Elements.loadBits(values, idx[1], n, bits);
            Elements.storeBits(dst, at, n, bits);
        }
    }

    /** Adds in row-major order of index; each addition rounds to dst's dtype. */
    @Override public void scatterAdd(Tensor dst, Tensor index, Tensor values) {
        Checks.scatterAdd(device(), dst, index, values);
        validateIndices("scatterAdd", "dst", index, dst.size());
        Walker w = Walker.over(index.shape(), index, values);
        long[][] idx = w.newIndexArrays();
        long[] at = new long[w.chunk()];
        double[] v = new double[w.chunk()];
        for (int n; (n = w.next(idx)) > 0; ) {
            Elements.loadLongs(index, idx[0], n, at);
            Elements.loadDoubles(values, idx[1], n, v);
            for (int i = 0; i < n; i++) {
                long e = Walker.elementIndex(dst, at[i]);
                Floats.set(dst, e, Floats.get(dst, e) + v[i]);
            }
        }
    }

    /** A first pass over every index, so that a bad one is reported before anything is written. */
    private static void validateIndices(String op, String target, Tensor index, long size) {
        Walker w = Walker.over(index.shape(), index);
        long[][] idx = w.newIndexArrays();
        long[] at = new long[w.chunk()];
        for (int n; (n = w.next(idx)) > 0; ) {
            Elements.loadLongs(index, idx[0], n, at);
            for (int i = 0; i < n; i++) {
                if (at[i] < 0 || at[i] >= size) throw Checks.indexOutOfBounds(op, target, at[i], size);
            }
        }
    }

    // ------------------------------------------------------------------ sliding windows, recurrent cells

    @Override public void im2col(Tensor x, Window window, Tensor cols) {
        Checks.im2col(device(), x, window, cols);
        WindowOps.im2col(x, window, cols);
    }

    @Override public void col2im(Tensor cols, Window window, Tensor x) {
        Checks.col2im(device(), cols, window, x);
        WindowOps.col2im(cols, window, x);
    }

    @Override public void conv2d(Tensor x, Tensor kernel, Tensor bias, Window window, Tensor out) {
        Checks.conv2d(device(), x, kernel, bias, window, out);
        WindowOps.conv2d(x, kernel, bias, window, out);
    }

    @Override public void conv2dKernelGrad(Tensor x, Tensor dy, Window window, Tensor dkernel, Tensor dbias) {
        Checks.conv2dKernelGrad(device(), x, dy, window, dkernel, dbias);
        WindowOps.conv2dKernelGrad(x, dy, window, dkernel, dbias);
    }

    @Override public void pool(PoolKind kind, Tensor x, Window window, Tensor out, Tensor argmax) {
        Checks.pool(device(), kind, x, window, out, argmax);
        WindowOps.pool(kind, x, window, out, argmax);
    }

    @Override public void rnnCell(RnnCell kind, Tensor[] operands) {
        Checks.rnnCell(device(), kind, operands);
        RnnCells.apply(kind, operands);
    }

    // ------------------------------------------------------------------ random

    @Override public void random(RandomKind kind, long seed, long counter, double a, double b, Tensor out) {
        Checks.random(device(), kind, out);
        Walker w = Walker.over(out.shape(), out);
        long[][] idx = w.newIndexArrays();
        double[] v = new double[w.chunk()];
        long done = 0;
        for (int n; (n = w.next(idx)) > 0; done += n) {
            for (int i = 0; i < n; i++) v[i] = kind.sample(seed, counter + done + i, a, b);
            Elements.storeDoubles(out, idx[0], n, v);
        }
    }

    // ------------------------------------------------------------------ optimizer

    @Override public void optimizerStep(OptimizerKind kind, Tensor param, Tensor grad, Tensor[] state, double[] hyper) {
        Checks.optimizerStep(device(), kind, param, grad, state, hyper);
        OptimizerSteps.apply(kind, param, grad, state, hyper);
    }

    @Override public String toString() { return "JavaBackend(reference, cpu)"; }
}
