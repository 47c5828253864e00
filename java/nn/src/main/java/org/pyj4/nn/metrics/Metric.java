package org.pyj4.nn.metrics;

import org.pyj4.ndarray.NDArray;

/**
 * A streaming metric: {@link #update} folds in one batch (a few reductions on the device, a few
 * numbers read back), {@link #result} reports over everything since {@link #reset}. Targets arrive
 * as the loss prepared them; predictions after the model's output activation.
 */
public abstract class Metric {
    private final String name;

    protected Metric(String name) { this.name = name; }

    /** The key in logs and history: "accuracy", "val_accuracy", ... (without the prefix). */
    public final String name() { return name; }

    public abstract void update(NDArray yTrue, NDArray yPred);

    public abstract double result();

    public abstract void reset();

    /** Labels of one sample fewer axes than the predictions gain a trailing axis of 1 (Keras' rank alignment). */
    static NDArray sameRank(NDArray yTrue, NDArray yPred) {
        if (yTrue.ndim() == yPred.ndim() - 1) return yTrue.expandDims(-1);
        if (yTrue.ndim() == yPred.ndim() + 1 && yTrue.shape()[yTrue.ndim() - 1] == 1) return yTrue.squeeze(-1);
        return yTrue;
    }

    /**
     * Targets shaped like the predictions: integer class labels (one per row) against several output
     * classes become one-hot rows, so precision, recall, AUC and errors also work with sparse labels;
     * other targets are rank-aligned as {@link #sameRank}.
     */
    static NDArray elementwiseTargets(NDArray yTrue, NDArray yPred) {
        long classes = yPred.ndim() == 0 ? 1 : yPred.shape()[yPred.ndim() - 1];
        boolean sparse = !yTrue.dtype().isFloat() && classes > 1
                && (yTrue.ndim() == yPred.ndim() - 1 || (yTrue.ndim() == yPred.ndim() && yTrue.shape()[yTrue.ndim() - 1] == 1));
        if (!sparse) return sameRank(yTrue, yPred);
        NDArray labels = yTrue.ndim() == yPred.ndim() ? yTrue.squeeze(-1) : yTrue;
        NDArray ids = NDArray.arange(0L, classes, 1L, org.pyj4.ndarray.DType.INT64);
        return labels.astype(org.pyj4.ndarray.DType.INT64).expandDims(-1).eq(ids).astype(yPred.dtype());
    }

    static double divide(double a, double b) { return b == 0 ? 0 : a / b; }
}
