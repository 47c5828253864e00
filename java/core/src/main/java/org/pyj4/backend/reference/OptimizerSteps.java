package org.pyj4.backend.reference;

import org.pyj4.backend.OptimizerKind;
import org.pyj4.backend.Tensor;
import org.pyj4.memory.NativeMemory;
import org.pyj4.ndarray.DType;

/**
 * The reference of {@link org.pyj4.backend.Backend#optimizerStep}: the formulas of {@link OptimizerKind},
 * one element at a time, in double, rounding once per stored value. Tensors are contiguous (checked
 * by the caller), so element i of each lives at its base address + i * itemSize.
 */
final class OptimizerSteps {
    private OptimizerSteps() {}

    /** Reads and writes one element of a contiguous float32/float64 host tensor. */
    private static final class Slot {
        final long base;
        final boolean isDouble;

        Slot(Tensor t) {
            this.isDouble = t.dtype() == DType.FLOAT64;
            this.base = Elements.base(t) + t.offset() * t.dtype().itemSize();
        }

        double get(long i) { return isDouble ? NativeMemory.getDouble(base + i * 8) : NativeMemory.getFloat(base + i * 4); }

        /** Stores v rounded to the slot's dtype and returns the stored value, so later math sees what was kept. */
        double set(long i, double v) {
            if (isDouble) {
                NativeMemory.putDouble(base + i * 8, v);
                return v;
            }
            float f = (float) v;
            NativeMemory.putFloat(base + i * 4, f);
            return f;
        }
    }

    static void apply(OptimizerKind kind, Tensor param, Tensor grad, Tensor[] state, double[] hyper) {
        long n = param.size();
        Slot p = new Slot(param), g = new Slot(grad);
        Slot[] s = new Slot[state.length];
        for (int i = 0; i < s.length; i++) s[i] = new Slot(state[i]);
        double lr = hyper[0], wd = hyper[1];
        switch (kind) {
            case SGD: sgd(n, p, g, s, lr, wd, hyper[2], hyper[3] != 0); break;
            case ADAM: adam(n, p, g, s, lr, wd, hyper[2], hyper[3], hyper[4], hyper[5], hyper[6] != 0); break;
            case RMSPROP: rmsprop(n, p, g, s, lr, wd, hyper[2], hyper[3], hyper[4], hyper[5] != 0); break;
            default: adagrad(n, p, g, s[0], lr, wd, hyper[2]);
        }
    }

    /** Keras' decoupled weight decay, applied before the update: p - p * wd * lr. */
    private static double decayed(Slot p, long i, double lr, double wd) {
        double v = p.get(i);
        return wd == 0 ? v : p.set(i, v - v * wd * lr);
    }

    private static void sgd(long n, Slot p, Slot g, Slot[] s, double lr, double wd, double momentum, boolean nesterov) {
        for (long i = 0; i < n; i++) {
            double w = decayed(p, i, lr, wd), gi = g.get(i);
            if (momentum == 0) {
                p.set(i, w - lr * gi);
                continue;
            }
            double v = s[0].set(i, momentum * s[0].get(i) - lr * gi);
            p.set(i, nesterov ? w + momentum * v - lr * gi : w + v);
        }
    }

    private static void adam(long n, Slot p, Slot g, Slot[] s, double lr, double wd, double beta1, double beta2,
                             double epsilon, double step, boolean amsgrad) {
        double alpha = lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step));
        for (long i = 0; i < n; i++) {
            double w = decayed(p, i, lr, wd), gi = g.get(i);
            double m = s[0].get(i), v = s[1].get(i);
            m = s[0].set(i, m + (gi - m) * (1 - beta1));
            v = s[1].set(i, v + (gi * gi - v) * (1 - beta2));
            if (amsgrad) v = s[2].set(i, Math.max(s[2].get(i), v));
            p.set(i, w - alpha * m / (Math.sqrt(v) + epsilon));
        }
    }

    private static void rmsprop(long n, Slot p, Slot g, Slot[] s, double lr, double wd, double rho, double momentum,
                                double epsilon, boolean centered) {
        Slot velocity = s[0];
        Slot momentumBuffer = momentum > 0 ? s[1] : null;
        Slot averageGrad = centered ? s[s.length - 1] : null;
        for (long i = 0; i < n; i++) {
            double w = decayed(p, i, lr, wd), gi = g.get(i);
            double v = velocity.set(i, rho * velocity.get(i) + (1 - rho) * gi * gi);
            double denominator;
            if (centered) {
                double a = averageGrad.set(i, rho * averageGrad.get(i) + (1 - rho) * gi);
                denominator = v - a * a + epsilon;
            } else {
                denominator = v + epsilon;
            }
            double increment = lr * gi / Math.sqrt(denominator);
            if (momentumBuffer != null) {
                double mb = momentumBuffer.set(i, momentum * momentumBuffer.get(i) + increment);
                p.set(i, w - mb);
            } else {
                p.set(i, w - increment);
            }
        }
    }

    private static void adagrad(long n, Slot p, Slot g, Slot acc, double lr, double wd, double epsilon) {
        for (long i = 0; i < n; i++) {
            double w = decayed(p, i, lr, wd), gi = g.get(i);
            double a = acc.set(i, acc.get(i) + gi * gi);
            p.set(i, w - lr * gi / Math.sqrt(a + epsilon));
        }
    }
}
