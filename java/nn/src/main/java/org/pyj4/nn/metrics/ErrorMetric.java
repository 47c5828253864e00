package org.pyj4.nn.metrics;

import org.pyj4.ndarray.NDArray;

/** Mean squared or mean absolute error over every element seen. */
public final class ErrorMetric extends Metric {
    private final boolean squared;
    private double sum;
    private long count;

    public ErrorMetric(String name, boolean squared) {
        super(name);
        this.squared = squared;
    }

    @Override public void update(NDArray yTrue, NDArray yPred) {
        NDArray diff = yPred.sub(elementwiseTargets(yTrue, yPred).astype(yPred.dtype()));
        sum += (squared ? diff.square() : diff.abs()).sum().getDouble();
        count += diff.size();
    }

    @Override public double result() { return divide(sum, count); }

    @Override public void reset() {
        sum = 0;
        count = 0;
    }
}
