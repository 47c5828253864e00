package org.pyj4.nn.metrics;

import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;

/**
 * The fraction of correct predictions, in Keras' three forms: binary (p > 0.5 equals the 0/1 label,
 * elementwise), categorical (argmax of p equals argmax of the one-hot label), sparse (argmax of p
 * equals the integer label).
 */
public final class Accuracy extends Metric {
    public enum Kind { BINARY, CATEGORICAL, SPARSE }

    private final Kind kind;
    private long correct, total;

    public Accuracy(String name, Kind kind) {
        super(name);
        this.kind = kind;
    }

    public Kind kind() { return kind; }

    @Override public void update(NDArray yTrue, NDArray yPred) {
        NDArray hits;
        int last = yPred.ndim() - 1;
        switch (kind) {
            case BINARY: {
                NDArray predicted = yPred.gt(NDArray.scalarOf(0.5, yPred.dtype())).astype(yPred.dtype());
                hits = predicted.eq(sameRank(yTrue, yPred).astype(yPred.dtype()));
                break;
            }
            case CATEGORICAL:
                hits = yPred.argmax(last, false).eq(yTrue.argmax(yTrue.ndim() - 1, false));
                break;
            default: {
                NDArray labels = yTrue.ndim() == yPred.ndim() ? yTrue.squeeze(-1) : yTrue;
                hits = yPred.argmax(last, false).eq(labels.astype(DType.INT64));
            }
        }
        correct += hits.sum().getLong();
        total += hits.size();
    }

    @Override public double result() { return divide(correct, total); }

    @Override public void reset() {
        correct = 0;
        total = 0;
    }
}
