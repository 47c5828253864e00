package org.pyj4.backend;

import org.pyj4.memory.Buffer;
import org.pyj4.ndarray.DType;

/**
 * The per-step definitions of {@link Backend#lstmSequence} and {@link Backend#lstmSequenceGrad}: one
 * {@link Backend#matmul} and one {@link Backend#rnnCell} per step, on views of the [T, B, W]
 * operands. The Java reference backend runs them as they are; a native backend may run them fused.
 */
public final class RnnSequences {
    private RnnSequences() {}

    public static void lstm(Backend be, Tensor xproj, Tensor u, Tensor gates, Tensor c, Tensor h) {
        Checks.lstmSequence(be.device(), xproj, u, gates, c, h);
        long t = xproj.shape()[0], b = xproj.shape()[1], units = u.shape()[0];
        if (t == 0 || b == 0 || units == 0) return;
        DType dt = xproj.dtype();
        Buffer hprojBuf = be.allocateUninitialized(b * 4 * units * dt.itemSize());
        Buffer zeroBuf = be.allocate(b * 4 * units * dt.itemSize());  // h_{-1} @ u and c_{-1}: zero
        try {
            Tensor hproj = matrix(hprojBuf, dt, b, 4 * units), zero4 = matrix(zeroBuf, dt, b, 4 * units), zero = matrix(zeroBuf, dt, b, units);
            for (long i = 0; i < t; i++) {
                Tensor hp = zero4;
                if (i > 0) {
                    be.matmul(step(h, i - 1), u, hproj);
                    hp = hproj;
                }
                be.rnnCell(RnnCell.LSTM_FORWARD, new Tensor[] {step(xproj, i), hp, i == 0 ? zero : step(c, i - 1), step(gates, i), step(c, i), step(h, i)});
            }
        } finally {
            hprojBuf.release();
            zeroBuf.release();
        }
    }

    public static void lstmGrad(Backend be, Tensor gates, Tensor c, Tensor u, Tensor dh, Tensor dcLast, Tensor dz) {
        Checks.lstmSequenceGrad(be.device(), gates, c, u, dh, dcLast, dz);
        long t = gates.shape()[0], b = gates.shape()[1], units = u.shape()[0];
        if (t == 0 || b == 0 || units == 0) return;
        DType dt = gates.dtype();
        long bytes = b * units * dt.itemSize();
        Buffer zeroBuf = be.allocate(bytes), recBuf = be.allocateUninitialized(bytes);
        Buffer[] dcBuf = {be.allocateUninitialized(bytes), be.allocateUninitialized(bytes)};
        try {
            Tensor zero = matrix(zeroBuf, dt, b, units), dhRec = matrix(recBuf, dt, b, units);
            Tensor[] dc = {matrix(dcBuf[0], dt, b, units), matrix(dcBuf[1], dt, b, units)};
            Tensor ut = new Tensor(u.buffer(), dt, new long[] {u.shape()[1], u.shape()[0]}, new long[] {u.strides()[1], u.strides()[0]}, u.offset());
            for (long i = t - 1; i >= 0; i--) {
                int out = (int) ((t - 1 - i) % 2);
                be.rnnCell(RnnCell.LSTM_BACKWARD, new Tensor[] {step(gates, i), i == 0 ? zero : step(c, i - 1), step(c, i), step(dh, i),
                    i == t - 1 ? zero : dhRec, i == t - 1 ? dcLast : dc[1 - out], step(dz, i), dc[out]});
                if (i > 0) be.matmul(step(dz, i), ut, dhRec);
            }
        } finally {
            zeroBuf.release();
            recBuf.release();
            dcBuf[0].release();
            dcBuf[1].release();
        }
    }

    /** Step i of a [T, B, W] tensor as a [B, W] view. */
    private static Tensor step(Tensor a, long i) {
        long[] s = a.shape(), st = a.strides();
        return new Tensor(a.buffer(), a.dtype(), new long[] {s[1], s[2]}, new long[] {st[1], st[2]}, a.offset() + i * st[0]);
    }

    private static Tensor matrix(Buffer buf, DType dt, long rows, long cols) {
        return new Tensor(buf, dt, new long[] {rows, cols}, new long[] {cols, 1}, 0);
    }
}
