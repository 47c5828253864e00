package org.pyj4.nn.metrics;

import org.pyj4.ndarray.NDArray;

/**
 * Area under the ROC curve, streaming, as Keras' AUC (num_thresholds 200, interpolation): confusion
 * counts at fixed thresholds {-eps, 1/(n-1), ..., (n-2)/(n-1), 1+eps} accumulate over batches; the
 * result is the trapezoid sum over (false positive rate, true positive rate). Every element of the
 * predictions is one binary decision.
 */
public final class AUC extends Metric {
    private static final double EPSILON = 1e-7;

    private final double[] thresholds;
    private final long[] truePositives, falsePositives;
    private long positives, negatives;

    public AUC(String name, int numThresholds) {
        super(name);
        if (numThresholds < 2) throw new IllegalArgumentException("AUC: expected num_thresholds > 1. Received: num_thresholds=" + numThresholds);
        thresholds = new double[numThresholds];
        thresholds[0] = -EPSILON;
        for (int i = 1; i < numThresholds - 1; i++) thresholds[i] = (double) i / (numThresholds - 1);
        thresholds[numThresholds - 1] = 1 + EPSILON;
        truePositives = new long[numThresholds];
        falsePositives = new long[numThresholds];
    }

    @Override public void update(NDArray yTrue, NDArray yPred) {
        NDArray p = yPred.reshape(-1, 1);
        NDArray actual = elementwiseTargets(yTrue, yPred).reshape(-1, 1).ne(NDArray.scalar(0L));
        NDArray t = NDArray.create(thresholds, 1, thresholds.length).astype(yPred.dtype());
        NDArray above = p.gt(t);                                       // [n, thresholds]
        long[] tp = above.and(actual).sum(new int[] {0}, false).toLongArray();
        long[] predictedPositive = above.sum(new int[] {0}, false).toLongArray();
        long pos = actual.sum().getLong();
        for (int i = 0; i < thresholds.length; i++) {
            truePositives[i] += tp[i];
            falsePositives[i] += predictedPositive[i] - tp[i];
        }
        positives += pos;
        negatives += p.size() - pos;
    }

    @Override public double result() {
        double area = 0;
        for (int i = 0; i + 1 < thresholds.length; i++) {
            double x0 = divide(falsePositives[i], negatives), x1 = divide(falsePositives[i + 1], negatives);
            double y0 = divide(truePositives[i], positives), y1 = divide(truePositives[i + 1], positives);
            area += (x0 - x1) * (y0 + y1) / 2;
        }
        return area;
    }

    @Override public void reset() {
        java.util.Arrays.fill(truePositives, 0);
        java.util.Arrays.fill(falsePositives, 0);
        positives = 0;
        negatives = 0;
    }
}
