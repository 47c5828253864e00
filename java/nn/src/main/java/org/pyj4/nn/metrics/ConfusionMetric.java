package org.pyj4.nn.metrics;

import org.pyj4.ndarray.NDArray;

/**
 * Precision tp / (tp + fp) or recall tp / (tp + fn), every element a binary decision at threshold
 * 0.5 (a prediction is positive when p > 0.5; a label when it is nonzero), as Keras.
 */
public final class ConfusionMetric extends Metric {
    private final boolean precision;
    private long truePositives, falsePositives, falseNegatives;

    public ConfusionMetric(String name, boolean precision) {
        super(name);
        this.precision = precision;
    }

    @Override public void update(NDArray yTrue, NDArray yPred) {
        NDArray predicted = yPred.gt(NDArray.scalarOf(0.5, yPred.dtype()));
        NDArray actual = elementwiseTargets(yTrue, yPred).ne(NDArray.scalar(0L));
        long tp = predicted.and(actual).sum().getLong();
        truePositives += tp;
        falsePositives += predicted.sum().getLong() - tp;
        falseNegatives += actual.sum().getLong() - tp;
    }

    @Override public double result() {
        return divide(truePositives, truePositives + (precision ? falsePositives : falseNegatives));
    }

    @Override public void reset() {
        truePositives = 0;
        falsePositives = 0;
        falseNegatives = 0;
    }
}
