package org.pyj4.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.pyj4.backend.Backend;
import org.pyj4.backend.BinaryOp;
import org.pyj4.backend.RandomKind;
import org.pyj4.backend.ReduceOp;
import org.pyj4.backend.Tensor;
import org.pyj4.backend.UnaryOp;
import org.pyj4.backend.reference.JavaBackend;
import org.pyj4.memory.Buffer;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.Device;

/**
 * The suite catches broken backends (and lets through merely different, acceptable ones): each
 * "mutant" below is the reference with one realistic bug, or one legitimate variation.
 */
class HarnessSelfTest {
    /** The reference backend, for mutants to override one method of. */
    static class Delegate implements Backend {
        final JavaBackend ref = new JavaBackend();
        @Override public String name() { return "mutant"; }
        @Override public Device device() { return ref.device(); }
        @Override public Buffer allocate(long bytes) { return ref.allocate(bytes); }
        @Override public void write(Buffer dst, long off, ByteBuffer src) { ref.write(dst, off, src); }
        @Override public void read(Buffer src, long off, ByteBuffer dst) { ref.read(src, off, dst); }
        @Override public void copy(Tensor src, Tensor dst) { ref.copy(src, dst); }
        @Override public void unary(UnaryOp op, Tensor x, Tensor out) { ref.unary(op, x, out); }
        @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) { ref.binary(op, a, b, out); }
        @Override public void where(Tensor c, Tensor a, Tensor b, Tensor out) { ref.where(c, a, b, out); }
        @Override public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) { ref.reduce(op, x, axes, out); }
        @Override public void matmul(Tensor a, Tensor b, Tensor out) { ref.matmul(a, b, out); }
        @Override public void gather(Tensor x, Tensor index, Tensor out) { ref.gather(x, index, out); }
        @Override public void scatter(Tensor dst, Tensor index, Tensor values) { ref.scatter(dst, index, values); }
        @Override public void random(RandomKind k, long seed, long counter, double a, double b, Tensor out) { ref.random(k, seed, counter, a, b, out); }
        @Override public void optimizerStep(org.pyj4.backend.OptimizerKind kind, Tensor param, Tensor grad, Tensor[] state, double[] hyper) {
            ref.optimizerStep(kind, param, grad, state, hyper);
        }
        @Override public void scatterAdd(Tensor dst, Tensor index, Tensor values) { ref.scatterAdd(dst, index, values); }
        @Override public void im2col(Tensor x, org.pyj4.backend.Window w, Tensor cols) { ref.im2col(x, w, cols); }
        @Override public void col2im(Tensor cols, org.pyj4.backend.Window w, Tensor x) { ref.col2im(cols, w, x); }
        @Override public void conv2d(Tensor x, Tensor kernel, Tensor bias, org.pyj4.backend.Window w, Tensor out) { ref.conv2d(x, kernel, bias, w, out); }
        @Override public void conv2dKernelGrad(Tensor x, Tensor dy, org.pyj4.backend.Window w, Tensor dkernel, Tensor dbias) {
            ref.conv2dKernelGrad(x, dy, w, dkernel, dbias);
        }
        @Override public void pool(org.pyj4.backend.PoolKind kind, Tensor x, org.pyj4.backend.Window w, Tensor out, Tensor argmax) {
            ref.pool(kind, x, w, out, argmax);
        }
        @Override public void rnnCell(org.pyj4.backend.RnnCell kind, Tensor[] operands) { ref.rnnCell(kind, operands); }

        /** A contiguous temporary of t's shape. */
        Tensor temp(DType dtype, long[] shape) {
            long n = 1;
            for (long d : shape) n *= d;
            return new Tensor(ref.allocate(n * dtype.itemSize()), dtype, shape, Tensor.contiguousStrides(shape), 0);
        }
    }

    private static AssertionError fails(Runnable r) { return assertThrows(AssertionError.class, r::run); }

    @Test void catchesWritesOutsideAnOutputsView() {
        Backend mutant = new Delegate() {
            @Override public void unary(UnaryOp op, Tensor x, Tensor out) {
                ref.unary(op, x, out);
                // Bug: also zeroes the element just past the view's start (as a kernel ignoring strides might).
                if (out.size() > 0 && out.offset() > 0) {
                    ref.write(out.buffer(), (out.offset() - 1) * out.dtype().itemSize(), ByteBuffer.allocate(out.dtype().itemSize()));
                }
            }
        };
        AssertionError e = fails(() -> new Conformance(mutant).unary(UnaryOp.NEG, DType.FLOAT32));
        assertTrue(e.getMessage().contains("outside the view"), e.getMessage());
    }

    @Test void catchesScatterThatWritesBeforeValidating() {
        Backend mutant = new Delegate() {
            @Override public void scatter(Tensor dst, Tensor index, Tensor values) {
                // Bug: element by element, so a bad index is found after the good ones were written.
                for (long i = 0; i < index.size(); i++) {
                    Tensor one = new Tensor(index.buffer(), index.dtype(), new long[] {1}, new long[] {1}, elementOf(index, i));
                    Tensor v = new Tensor(values.buffer(), values.dtype(), new long[] {1}, new long[] {1}, elementOf(values, i));
                    ref.scatter(dst, one, v);
                }
            }
        };
        AssertionError e = fails(() -> new Conformance(mutant).scatter(DType.INT32));
        assertTrue(e.getMessage().contains("written although the call failed"), e.getMessage());
    }

    @Test void catchesLeakedMemory() {
        java.util.List<Buffer> leaked = new java.util.ArrayList<>();
        Backend mutant = new Delegate() {
            @Override public void copy(Tensor src, Tensor dst) {
                leaked.add(ref.allocate(16));  // Bug: a scratch buffer never released.
                ref.copy(src, dst);
            }
        };
        AssertionError e = fails(() -> new Conformance(mutant).copy(DType.FLOAT32, DType.INT8));
        leaked.forEach(Buffer::release);  // (here, not by the GC in the middle of another test)
        assertTrue(e.getMessage().contains("bytes still allocated"), e.getMessage());
    }

    @Test void catchesMaxThatIgnoresNaN() {
        Backend mutant = new Delegate() {
            @Override public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
                if (op != ReduceOp.MAX || !x.dtype().isFloat()) {
                    ref.reduce(op, x, axes, out);
                    return;
                }
                // Bug: NaN replaced by -inf first (fmax-like), so NaN does not propagate.
                Tensor nan = temp(DType.BOOL, x.shape()), clean = temp(x.dtype(), x.shape()), low = temp(x.dtype(), x.shape());
                try {
                    ref.unary(UnaryOp.ISNAN, x, nan);
                    fill(low, Double.NEGATIVE_INFINITY);
                    ref.where(nan, low, x, clean);
                    ref.reduce(op, clean, axes, out);
                } finally {
                    nan.buffer().release();
                    clean.buffer().release();
                    low.buffer().release();
                }
            }

            void fill(Tensor t, double v) {
                Tensor one = temp(DType.FLOAT64, new long[0]);
                try {
                    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putDouble(0, v);
                    ref.write(one.buffer(), 0, b);
                    ref.copy(new Tensor(one.buffer(), DType.FLOAT64, t.shape(), new long[t.rank()], 0), t);
                } finally {
                    one.buffer().release();
                }
            }
        };
        AssertionError e = fails(() -> new Conformance(mutant).reduce(ReduceOp.MAX, DType.FLOAT32));
        assertTrue(e.getMessage().contains("expected NaN"), e.getMessage());
    }

    /** exp off by 2e-6 relative: beyond float32's tolerance (1e-6). */
    @Test void catchesInaccurateTranscendentals() {
        Backend mutant = new Delegate() {
            @Override public void unary(UnaryOp op, Tensor x, Tensor out) {
                if (op != UnaryOp.EXP) {
                    ref.unary(op, x, out);
                    return;
                }
                Tensor wide = temp(DType.FLOAT64, x.shape()), e = temp(DType.FLOAT64, x.shape()), k = temp(DType.FLOAT64, new long[0]);
                try {
                    ref.write(k.buffer(), 0, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putDouble(0, 1 + 2e-6));
                    ref.copy(x, wide);
                    ref.unary(UnaryOp.EXP, wide, e);
                    ref.binary(BinaryOp.MUL, e, new Tensor(k.buffer(), DType.FLOAT64, x.shape(), new long[x.rank()], 0), e);
                    ref.copy(e, out);
                } finally {
                    wide.buffer().release();
                    e.buffer().release();
                    k.buffer().release();
                }
            }
        };
        fails(() -> new Conformance(mutant).unary(UnaryOp.EXP, DType.FLOAT32));
    }

    /**
     * A legitimate variation: float32 sums accumulated in float32, in a different order (reversed),
     * as a native kernel may do. The tolerance must accept it.
     */
    @Test void acceptsFloat32Accumulation() {
        Backend variant = new Delegate() {
            @Override public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
                if (op != ReduceOp.SUM || x.dtype() != DType.FLOAT32 || out.dtype() != DType.FLOAT32 || x.size() == 0) {
                    ref.reduce(op, x, axes, out);
                    return;
                }
                Tensor xc = temp(DType.FLOAT32, x.shape()), oc = temp(DType.FLOAT32, out.shape());
                try {
                    ref.copy(x, xc);
                    ByteBuffer in = ByteBuffer.allocate((int) x.size() * 4).order(ByteOrder.nativeOrder());
                    ref.read(xc.buffer(), 0, in);
                    long[] outStrides = Tensor.contiguousStrides(out.shape());
                    for (int a : axes) outStrides[a] = 0;
                    float[] acc = new float[(int) out.size()];
                    for (int i = (int) x.size() - 1; i >= 0; i--) {
                        long rest = i, o = 0;
                        for (int d = x.rank() - 1; d >= 0; d--) {
                            o += (rest % x.shape()[d]) * outStrides[d];
                            rest /= x.shape()[d];
                        }
                        acc[(int) o] += in.getFloat(i * 4);
                    }
                    ByteBuffer res = ByteBuffer.allocate(acc.length * 4).order(ByteOrder.nativeOrder());
                    for (float f : acc) res.putFloat(f);
                    res.flip();
                    ref.write(oc.buffer(), 0, res);
                    ref.copy(oc, out);
                } finally {
                    xc.buffer().release();
                    oc.buffer().release();
                }
            }
        };
        assertDoesNotThrow(() -> new Conformance(variant).reduce(ReduceOp.SUM, DType.FLOAT32));
    }

    @Test void catchesAnErrorOfTheWrongKind() {
        Backend mutant = new Delegate() {
            @Override public void gather(Tensor x, Tensor index, Tensor out) {
                try {
                    ref.gather(x, index, out);
                } catch (IndexOutOfBoundsException e) {
                    throw new IllegalStateException("kernel failed");  // Bug: the wrong exception type.
                }
            }
        };
        AssertionError e = fails(() -> new Conformance(mutant).gather(DType.FLOAT64));
        assertTrue(e.getMessage().contains("IndexOutOfBoundsException"), e.getMessage());
    }

    @Test void catchesMissingValidation() {
        Backend mutant = new Delegate() {
            @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
                if (a.dtype() != b.dtype()) return;  // Bug: silently ignores mixed dtypes.
                ref.binary(op, a, b, out);
            }
        };
        AssertionError e = fails(() -> new Conformance(mutant).validation());
        assertTrue(e.getMessage().contains("mixed dtypes"), e.getMessage());
    }

    private static long elementOf(Tensor t, long flat) {
        long e = t.offset();
        for (int d = t.rank() - 1; d >= 0; d--) {
            e += (flat % t.shape()[d]) * t.strides()[d];
            flat /= t.shape()[d];
        }
        return e;
    }
}
