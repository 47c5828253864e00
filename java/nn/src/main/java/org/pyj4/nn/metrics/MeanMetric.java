package org.pyj4.nn.metrics;

import org.pyj4.ndarray.NDArray;

/** A weighted running mean of numbers (the "loss" entry of the logs, weighted by batch size). */
public final class MeanMetric extends Metric {
    private double total, count;

    public MeanMetric(String name) { super(name); }

    public void add(double value, double weight) {
        total += value * weight;
        count += weight;
    }

    @Override public void update(NDArray yTrue, NDArray yPred) {
        throw new UnsupportedOperationException("MeanMetric takes numbers through add(value, weight)");
    }

    @Override public double result() { return divide(total, count); }

    @Override public void reset() {
        total = 0;
        count = 0;
    }
}
