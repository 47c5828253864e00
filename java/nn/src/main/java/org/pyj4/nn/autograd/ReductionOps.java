package org.pyj4.nn.autograd;

import org.pyj4.ndarray.NDArray;
import org.pyj4.ndarray.Shapes;

/** Differentiable reductions. {@code axes == null} reduces every axis. */
public final class ReductionOps {
    private ReductionOps() {}

    public static Variable sum(Variable x, int[] axes, boolean keepdims) {
        long[] kept = keptShape(x, axes);
        return Variable.result(x.value.sum(axes, keepdims), (g, grads) -> grads.add(x, g.reshape(kept).broadcastTo(x.value.shape())), x);
    }

    public static Variable sum(Variable x) { return sum(x, null, false); }

    public static Variable mean(Variable x, int[] axes, boolean keepdims) {
        long[] kept = keptShape(x, axes);
        long count = x.value.size() / Math.max(1, Shapes.size(kept));
        return Variable.result(x.value.mean(axes, keepdims),
                (g, grads) -> grads.add(x, g.reshape(kept).div(count).broadcastTo(x.value.shape())), x);
    }

    public static Variable mean(Variable x) { return mean(x, null, false); }

    /** Maximum; ties share the gradient equally (as TensorFlow and PyTorch's amax). */
    public static Variable max(Variable x, int[] axes, boolean keepdims) {
        return extreme(x, axes, keepdims, true);
    }

    public static Variable min(Variable x, int[] axes, boolean keepdims) {
        return extreme(x, axes, keepdims, false);
    }

    private static Variable extreme(Variable x, int[] axes, boolean keepdims, boolean isMax) {
        long[] kept = keptShape(x, axes);
        NDArray m = isMax ? x.value.max(axes, true) : x.value.min(axes, true);
        NDArray out = keepdims ? m : m.reshape(dropped(x, axes));
        return Variable.result(out, (g, grads) -> {
            NDArray hit = x.value.eq(m).astype(g.dtype());
            NDArray ties = hit.sum(axes, true);
            grads.add(x, hit.mul(g.reshape(kept).div(ties)));
        }, x);
    }

    /** x's shape with the reduced axes set to 1 (the keepdims shape). */
    static long[] keptShape(Variable x, int[] axes) {
        long[] s = x.value.shape();
        for (int a : Shapes.axes("reduce", axes, s.length)) s[a] = 1;
        return s;
    }

    private static long[] dropped(Variable x, int[] axes) {
        long[] s = x.value.shape();
        int[] ax = Shapes.axes("reduce", axes, s.length);
        long[] out = new long[s.length - ax.length];
        for (int d = 0, j = 0, k = 0; d < s.length; d++) {
            if (k < ax.length && ax[k] == d) k++;
            else out[j++] = s[d];
        }
        return out;
    }
}
