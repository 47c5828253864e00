package org.pyj4.nn.autograd;

import org.pyj4.ndarray.NDArray;

/** Neural-network functions with their own backward rules, for stability and fewer temporaries than their compositions. */
public final class NNOps {
    private NNOps() {}

    /** Softmax along an axis; backward: y * (g - sum(g * y)). */
    public static Variable softmax(Variable x, int axis) {
        NDArray y = x.value.softmax(axis);
        int[] ax = {axis};
        return Variable.result(y, (g, grads) -> {
            NDArray dot = g.mul(y).sum(ax, true);
            grads.add(x, y.mul(g.sub(dot)));
        }, x);
    }

    /** log(softmax(x)) along an axis, stable; backward: g - softmax(x) * sum(g). */
    public static Variable logSoftmax(Variable x, int axis) {
        NDArray y = x.value.logSoftmax(axis);
        int[] ax = {axis};
        return Variable.result(y, (g, grads) -> grads.add(x, g.sub(y.exp().mul(g.sum(ax, true)))), x);
    }

    /**
     * Cross-entropy of softmax(logits) against target distributions over the last axis, one value per
     * row: -sum(t * log_softmax(z)). Backward: (softmax(z) * sum(t) - t) * g, with no log of a
     * probability anywhere, so it stays finite for any logits.
     */
    public static Variable softmaxCrossEntropy(Variable logits, NDArray targets) { return softmaxCrossEntropy(logits, targets, false); }

    /**
     * {@link #softmaxCrossEntropy(Variable, NDArray)}; {@code oneHot} says every target row sums to
     * exactly 1 (one-hot rows of valid class labels), so backward is (softmax(z) - t) * g, two
     * primitives fewer per step.
     */
    public static Variable softmaxCrossEntropy(Variable logits, NDArray targets, boolean oneHot) {
        int[] last = {-1};
        NDArray logProbs = logits.value.logSoftmax(-1);
        NDArray loss = targets.mul(logProbs).sum(last, false).neg();
        return Variable.result(loss, (g, grads) -> {
            NDArray probs = logProbs.exp();
            NDArray dz = (oneHot ? probs : probs.mul(targets.sum(last, true))).sub(targets).mul(g.expandDims(-1));
            grads.add(logits, dz);
        }, logits);
    }

    /**
     * Elementwise binary cross-entropy of sigmoid(logits) against targets in [0, 1]:
     * max(z, 0) - z * t + log(1 + exp(-|z|)), finite for any z. Backward: (sigmoid(z) - t) * g.
     */
    public static Variable sigmoidCrossEntropy(Variable logits, NDArray targets) {
        NDArray z = logits.value;
        NDArray loss = z.relu().sub(z.mul(targets)).add(z.abs().neg().exp().unary(org.pyj4.backend.UnaryOp.LOG1P));
        return Variable.result(loss, (g, grads) -> grads.add(logits, z.sigmoid().sub(targets).mul(g)), logits);
    }

    /**
     * Rows of {@code table} [V, D] picked by integer {@code ids} (any shape, values in [0, V), checked
     * by the caller): out[..., d] = table[ids[...], d]. Backward scatter-adds the output gradient
     * into the table's rows, so repeated ids add up.
     */
    public static Variable embedding(Variable table, NDArray ids) {
        long[] ts = table.value.shape();
        long d = ts[1];
        org.pyj4.backend.Backend be = table.value.backend();
        long[] idShape = ids.shape();
        long[] outShape = java.util.Arrays.copyOf(idShape, idShape.length + 1);
        outShape[idShape.length] = d;
        // Element index of out[..., j] in the flat table: id * D + j.
        NDArray flat = ids.astype(org.pyj4.ndarray.DType.INT64).expandDims(-1).mul(NDArray.scalar(d))
                .add(NDArray.arange(0L, d, 1L, org.pyj4.ndarray.DType.INT64)).broadcastTo(outShape).contiguous();
        NDArray out = NDArray.empty(table.dtype(), outShape, be);
        be.gather(table.value.tensor(), flat.tensor(), out.tensor());
        return Variable.result(out, (g, grads) -> {
            NDArray into = grads.destination(table);
            NDArray dt = into != null ? into : NDArray.empty(table.dtype(), ts, be);
            if (into != null) be.copy(NDArray.scalarOf(0.0, table.dtype()).broadcastTo(ts).tensor(), dt.tensor());
            be.scatterAdd(dt.tensor(), flat.tensor(), g.tensor());
            if (into == null) grads.add(table, dt);
        }, table);
    }
}
