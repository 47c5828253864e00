package org.pyj4.nn.autograd;

import static org.pyj4.nn.autograd.Broadcasting.sumTo;

import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;

/**
 * Differentiable elementwise math with NumPy broadcasting. Forward passes are NDArray ops; each
 * backward rule is the derivative written with NDArray ops, summed back to each input's shape.
 */
public final class ElementwiseOps {
    private ElementwiseOps() {}

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    // ------------------------------------------------------------------ binary

    public static Variable add(Variable a, Variable b) {
        return Variable.result(a.value.add(b.value), (g, grads) -> {
            if (grads.wants(a)) grads.add(a, sumTo(g, a.value.shape()));
            if (grads.wants(b)) grads.add(b, sumTo(g, b.value.shape()));
        }, a, b);
    }

    public static Variable sub(Variable a, Variable b) {
        return Variable.result(a.value.sub(b.value), (g, grads) -> {
            if (grads.wants(a)) grads.add(a, sumTo(g, a.value.shape()));
            if (grads.wants(b)) grads.add(b, sumTo(g.neg(), b.value.shape()));
        }, a, b);
    }

    public static Variable mul(Variable a, Variable b) {
        return Variable.result(a.value.mul(b.value), (g, grads) -> {
            if (grads.wants(a)) grads.add(a, sumTo(g.mul(b.value), a.value.shape()));
            if (grads.wants(b)) grads.add(b, sumTo(g.mul(a.value), b.value.shape()));
        }, a, b);
    }

    public static Variable div(Variable a, Variable b) {
        NDArray out = a.value.div(b.value);
        return Variable.result(out, (g, grads) -> {
            NDArray gOverB = g.div(b.value);
            if (grads.wants(a)) grads.add(a, sumTo(gOverB, a.value.shape()));
            // d(a/b)/db = -a/b^2 = -(a/b)/b
            if (grads.wants(b)) grads.add(b, sumTo(gOverB.mul(out).neg(), b.value.shape()));
        }, a, b);
    }

    /** a ** b; the gradient for b is taken as 0 where a <= 0 (log undefined), as for a constant exponent. */
    public static Variable pow(Variable a, Variable b) {
        NDArray out = a.value.pow(b.value);
        return Variable.result(out, (g, grads) -> {
            if (grads.wants(a)) {
                NDArray bMinus1 = b.value.sub(1.0);
                grads.add(a, sumTo(g.mul(b.value).mul(a.value.pow(bMinus1)), a.value.shape()));
            }
            if (grads.wants(b)) {
                NDArray positive = a.value.gt(NDArray.scalar(0.0));
                NDArray safeA = NDArray.where(positive, a.value, NDArray.scalarOf(1.0, a.dtype()));
                grads.add(b, sumTo(g.mul(out).mul(safeA.log()), b.value.shape()));
            }
        }, a, b);
    }

    /** a ** c for a constant exponent. */
    public static Variable pow(Variable a, double c) {
        return Variable.result(a.value.pow(c), (g, grads) -> grads.add(a, g.mul(a.value.pow(c - 1)).mul(c)), a);
    }

    /** Elementwise maximum; where a == b the gradient goes to a. */
    public static Variable maximum(Variable a, Variable b) {
        return Variable.result(a.value.maximum(b.value), (g, grads) -> route(g, a.value.ge(b.value), a, b, grads), a, b);
    }

    /** Elementwise minimum; where a == b the gradient goes to a. */
    public static Variable minimum(Variable a, Variable b) {
        return Variable.result(a.value.minimum(b.value), (g, grads) -> route(g, a.value.le(b.value), a, b, grads), a, b);
    }

    /** cond ? a : b, cond a constant bool array. */
    public static Variable where(NDArray cond, Variable a, Variable b) {
        return Variable.result(NDArray.where(cond, a.value, b.value), (g, grads) -> route(g, cond, a, b, grads), a, b);
    }

    /** Sends g to a where pick is true, to b elsewhere, each summed back to its shape. */
    private static void route(NDArray g, NDArray pick, Variable a, Variable b, Grads grads) {
        NDArray zero = NDArray.scalarOf(0.0, g.dtype());
        if (grads.wants(a)) grads.add(a, sumTo(NDArray.where(pick, g, zero), a.value.shape()));
        if (grads.wants(b)) grads.add(b, sumTo(NDArray.where(pick, zero, g), b.value.shape()));
    }

    // ------------------------------------------------------------------ with a scalar

    public static Variable add(Variable a, double c) { return Variable.result(a.value.add(c), (g, grads) -> grads.add(a, g), a); }

    public static Variable mul(Variable a, double c) { return Variable.result(a.value.mul(c), (g, grads) -> grads.add(a, g.mul(c)), a); }

    /** c - a. */
    public static Variable rsub(double c, Variable a) {
        try (NDArray s = NDArray.scalar(c)) {
            return Variable.result(s.sub(a.value), (g, grads) -> grads.add(a, g.neg()), a);
        }
    }

    /** Limits values to [min, max]; the gradient passes where min <= x <= max. */
    public static Variable clip(Variable x, double min, double max) {
        NDArray lo = NDArray.scalarOf(min, x.dtype()), hi = NDArray.scalarOf(max, x.dtype());
        return Variable.result(x.value.clip(lo, hi), (g, grads) -> {
            NDArray inside = x.value.ge(lo).and(x.value.le(hi));
            grads.add(x, NDArray.where(inside, g, NDArray.scalarOf(0.0, g.dtype())));
        }, x);
    }

    /** A dtype conversion; the gradient converts back. */
    public static Variable cast(Variable x, DType dtype) {
        if (x.dtype() == dtype) return x;
        return Variable.result(x.value.astype(dtype), (g, grads) -> grads.add(x, g.astype(x.dtype())), x);
    }

    // ------------------------------------------------------------------ unary

    public static Variable neg(Variable x) { return Variable.result(x.value.neg(), (g, grads) -> grads.add(x, g.neg()), x); }

    public static Variable exp(Variable x) {
        NDArray out = x.value.exp();
        return Variable.result(out, (g, grads) -> grads.add(x, g.mul(out)), x);
    }

    public static Variable expm1(Variable x) {
        NDArray out = x.value.unary(org.pyj4.backend.UnaryOp.EXPM1);
        return Variable.result(out, (g, grads) -> grads.add(x, g.mul(out.add(1.0))), x);
    }

    public static Variable log(Variable x) { return Variable.result(x.value.log(), (g, grads) -> grads.add(x, g.div(x.value)), x); }

    public static Variable log1p(Variable x) {
        return Variable.result(x.value.unary(org.pyj4.backend.UnaryOp.LOG1P), (g, grads) -> grads.add(x, g.div(x.value.add(1.0))), x);
    }

    public static Variable sqrt(Variable x) {
        NDArray out = x.value.sqrt();
        return Variable.result(out, (g, grads) -> grads.add(x, g.div(out).mul(0.5)), x);
    }

    public static Variable square(Variable x) {
        return Variable.result(x.value.square(), (g, grads) -> grads.add(x, g.mul(x.value).mul(2.0)), x);
    }

    /** |x|; the gradient is sign(x) (0 at 0). */
    public static Variable abs(Variable x) { return Variable.result(x.value.abs(), (g, grads) -> grads.add(x, g.mul(x.value.sign())), x); }

    public static Variable tanh(Variable x) {
        NDArray out = x.value.tanh();
        return Variable.result(out, (g, grads) -> grads.add(x, g.mul(NDArray.scalar(1.0).sub(out.square()))), x);
    }

    public static Variable sigmoid(Variable x) {
        NDArray out = x.value.sigmoid();
        return Variable.result(out, (g, grads) -> grads.add(x, g.mul(out).mul(NDArray.scalar(1.0).sub(out))), x);
    }

    /** max(x, 0); the gradient passes where the output is positive. */
    public static Variable relu(Variable x) {
        NDArray out = x.value.relu();
        return Variable.result(out, (g, grads) -> {
            if (out.dtype().isFloat() && g.dtype() == out.dtype() && java.util.Arrays.equals(g.shape(), out.shape())
                    && g.device().equals(out.device())) {
                // g where the output is positive, else 0: one fused pass
                NDArray dx = NDArray.empty(out.dtype(), out.shape(), out.backend());
                out.backend().binary(org.pyj4.backend.BinaryOp.RELU_GRAD, g.tensor(), out.tensor(), dx.tensor());
                grads.add(x, dx);
            } else {
                // sign(relu(x)) is 1 where x > 0 and 0 elsewhere: a float mask without a bool temporary.
                grads.add(x, g.mul(out.sign()));
            }
        }, x);
    }

    public static Variable erf(Variable x) {
        NDArray out = x.value.unary(org.pyj4.backend.UnaryOp.ERF);
        return Variable.result(out, (g, grads) -> grads.add(x, g.mul(x.value.square().neg().exp()).mul(TWO_OVER_SQRT_PI)), x);
    }

    public static Variable sin(Variable x) { return Variable.result(x.value.sin(), (g, grads) -> grads.add(x, g.mul(x.value.cos())), x); }

    public static Variable cos(Variable x) { return Variable.result(x.value.cos(), (g, grads) -> grads.add(x, g.mul(x.value.sin()).neg()), x); }
}
