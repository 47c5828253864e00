package org.pyj4.backend.reference;

import org.pyj4.backend.RnnCell;
import org.pyj4.backend.Tensor;

/**
 * The reference of {@link org.pyj4.backend.Backend#rnnCell}: the formulas of {@link RnnCell}, one
 * batch row and unit at a time, in double; every stored value is rounded once to the operands'
 * dtype and read back as stored (c before tanh(c), for example), as a native float32 kernel sees it.
 */
final class RnnCells {
    private RnnCells() {}

    /** Operand i, row b, column j. */
    private static final class Operands {
        final Tensor[] t;

        Operands(Tensor[] t) { this.t = t; }

        double get(int i, long b, long j) { return Floats.get(t[i], Floats.at(t[i], b, j)); }

        double set(int i, long b, long j, double v) { return Floats.set(t[i], Floats.at(t[i], b, j), v); }
    }

    static void apply(RnnCell kind, Tensor[] operands) {
        Operands o = new Operands(operands);
        long rows = operands[0].shape()[0];
        long h = operands[0].shape()[1] / kind.gates();
        for (long b = 0; b < rows; b++) {
            for (long j = 0; j < h; j++) {
                switch (kind) {
                    case LSTM_FORWARD: lstmForward(o, b, j, h); break;
                    case LSTM_BACKWARD: lstmBackward(o, b, j, h); break;
                    case GRU_FORWARD: gruForward(o, b, j, h); break;
                    default: gruBackward(o, b, j, h);
                }
            }
        }
    }

    private static double sigmoid(double x) { return Scalars.sigmoid(x); }

    // operands: 0 xproj, 1 hproj, 2 cPrev | 3 gates, 4 c, 5 h
    private static void lstmForward(Operands o, long b, long j, long h) {
        double i = o.set(3, b, j, sigmoid(o.get(0, b, j) + o.get(1, b, j)));
        double f = o.set(3, b, h + j, sigmoid(o.get(0, b, h + j) + o.get(1, b, h + j)));
        double g = o.set(3, b, 2 * h + j, StrictMath.tanh(o.get(0, b, 2 * h + j) + o.get(1, b, 2 * h + j)));
        double out = o.set(3, b, 3 * h + j, sigmoid(o.get(0, b, 3 * h + j) + o.get(1, b, 3 * h + j)));
        double c = o.set(4, b, j, f * o.get(2, b, j) + i * g);
        o.set(5, b, j, out * StrictMath.tanh(c));
    }

    // operands: 0 gates, 1 cPrev, 2 c, 3 dhOut, 4 dhRec, 5 dcNext | 6 dz, 7 dcPrev
    private static void lstmBackward(Operands o, long b, long j, long h) {
        double i = o.get(0, b, j), f = o.get(0, b, h + j), g = o.get(0, b, 2 * h + j), out = o.get(0, b, 3 * h + j);
        double dh = o.get(3, b, j) + o.get(4, b, j);
        double t = StrictMath.tanh(o.get(2, b, j));
        double dc = o.get(5, b, j) + dh * out * (1 - t * t);
        o.set(6, b, j, dc * g * i * (1 - i));
        o.set(6, b, h + j, dc * o.get(1, b, j) * f * (1 - f));
        o.set(6, b, 2 * h + j, dc * i * (1 - g * g));
        o.set(6, b, 3 * h + j, dh * t * out * (1 - out));
        o.set(7, b, j, dc * f);
    }

    // operands: 0 xproj, 1 hproj, 2 rbias, 3 hPrev | 4 gates, 5 h
    private static void gruForward(Operands o, long b, long j, long h) {
        double z = o.set(4, b, j, sigmoid(o.get(0, b, j) + o.get(1, b, j) + o.get(2, b, j)));
        double r = o.set(4, b, h + j, sigmoid(o.get(0, b, h + j) + o.get(1, b, h + j) + o.get(2, b, h + j)));
        double n = o.set(4, b, 2 * h + j, StrictMath.tanh(o.get(0, b, 2 * h + j) + r * (o.get(1, b, 2 * h + j) + o.get(2, b, 2 * h + j))));
        o.set(5, b, j, z * o.get(3, b, j) + (1 - z) * n);
    }

    // operands: 0 gates, 1 hproj, 2 rbias, 3 hPrev, 4 dhOut, 5 dhRec, 6 dhCarry | 7 dxproj, 8 dhproj, 9 dhCarryOut
    private static void gruBackward(Operands o, long b, long j, long h) {
        double z = o.get(0, b, j), r = o.get(0, b, h + j), n = o.get(0, b, 2 * h + j);
        double dh = o.get(4, b, j) + o.get(5, b, j) + o.get(6, b, j);
        double dn = dh * (1 - z) * (1 - n * n);
        double dzp = dh * (o.get(3, b, j) - n) * z * (1 - z);
        double drp = dn * (o.get(1, b, 2 * h + j) + o.get(2, b, 2 * h + j)) * r * (1 - r);
        o.set(7, b, j, dzp);
        o.set(7, b, h + j, drp);
        o.set(7, b, 2 * h + j, dn);
        o.set(8, b, j, dzp);
        o.set(8, b, h + j, drp);
        o.set(8, b, 2 * h + j, dn * r);
        o.set(9, b, j, dh * z);
    }
}
