package org.pyj4.nn.autograd;

import static org.pyj4.nn.autograd.Broadcasting.sumTo;

import java.util.List;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.Index;
import org.pyj4.ndarray.NDArray;

/** Differentiable shape changes, views, indexing, joins. Views stay views: no data moves forward or back. */
public final class ShapeOps {
    private ShapeOps() {}

    public static Variable reshape(Variable x, long... shape) {
        long[] in = x.value.shape();
        return Variable.result(x.value.reshape(shape), (g, grads) -> grads.add(x, g.reshape(in)), x);
    }

    /** Permutes axes (reverses them when none are given). */
    public static Variable transpose(Variable x, int... axes) {
        int r = x.ndim();
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = axes.length == 0 ? r - 1 - i : Math.floorMod(axes[i], r);
        int[] inverse = new int[r];
        for (int i = 0; i < r; i++) inverse[perm[i]] = i;
        return Variable.result(x.value.transpose(perm), (g, grads) -> grads.add(x, g.transpose(inverse)), x);
    }

    public static Variable broadcastTo(Variable x, long... shape) {
        return Variable.result(x.value.broadcastTo(shape), (g, grads) -> grads.add(x, sumTo(g, x.value.shape())), x);
    }

    public static Variable expandDims(Variable x, int axis) {
        long[] in = x.value.shape();
        return Variable.result(x.value.expandDims(axis), (g, grads) -> grads.add(x, g.reshape(in)), x);
    }

    public static Variable squeeze(Variable x, int... axes) {
        long[] in = x.value.shape();
        return Variable.result(x.value.squeeze(axes), (g, grads) -> grads.add(x, g.reshape(in)), x);
    }

    /** Keeps the first axis, flattens the rest (Keras Flatten). */
    public static Variable flattenBatch(Variable x) {
        long[] s = x.value.shape();
        return reshape(x, s.length == 0 ? 1 : s[0], -1);
    }

    /**
     * NumPy indexing {@code x[index]}. Basic indexing (integers, slices, new axes, ellipsis) is a view,
     * and its gradient is written into the same view of a zero array. Advanced indexing (integer
     * arrays, masks) gathers; its gradient scatter-adds, so repeated indices sum up.
     */
    public static Variable get(Variable x, Index... index) {
        NDArray out = x.value.get(index);
        boolean isView = out.sharesMemory(x.value);
        return Variable.result(out, (g, grads) -> {
            NDArray dx = NDArray.empty(g.dtype(), x.value.shape(), g.backend());
            if (isView) {
                NDArray region = dx.get(index);
                region.backend().copy(g.tensor(), region.tensor());
            } else {
                // Which element of x each output element read: index a numbering of x's elements the same way.
                NDArray numbering = NDArray.arange(0L, x.value.size(), 1L, DType.INT64).reshape(x.value.shape());
                ScatterAdd.apply(dx, numbering.get(index).toLongArray(), g);
            }
            grads.add(x, dx);
        }, x);
    }

    /** Elements along {@code axis} at integer {@code indices} (NumPy take with an axis; negative indices count from the end). */
    public static Variable take(Variable x, NDArray indices, int axis) {
        int ax = Math.floorMod(axis, x.ndim());
        Index[] index = new Index[ax + 1];
        for (int i = 0; i < ax; i++) index[i] = Index.all();
        index[ax] = Index.array(indices);
        return get(x, index);
    }

    /** Joins along an existing axis; each input's gradient is its slice of the output gradient. */
    public static Variable concatenate(List<Variable> xs, int axis) {
        NDArray[] values = xs.stream().map(Variable::value).toArray(NDArray[]::new);
        NDArray out = NDArray.concatenate(values, axis);
        int ax = Math.floorMod(axis, out.ndim());
        return Variable.result(out, (g, grads) -> {
            long at = 0;
            for (Variable v : xs) {
                long len = v.value.shape()[ax];
                if (grads.wants(v)) grads.add(v, g.slice(ax, at, at + len, 1L));
                at += len;
            }
        }, xs.toArray(new Variable[0]));
    }

    /** Joins arrays of one shape along a new axis. */
    public static Variable stack(List<Variable> xs, int axis) {
        int ax = Math.floorMod(axis, xs.get(0).ndim() + 1);
        return concatenate(xs.stream().map(v -> expandDims(v, ax)).toList(), ax);
    }
}
