package org.pyj4.nn;

import org.pyj4.ndarray.NDArray;

/** Options of {@link Model#fit}, builder style: {@code new FitOptions().batchSize(128).epochs(5).seed(0L)}. */
public final class FitOptions {
    private int batchSize = 32;
    private int epochs = 1;
    private boolean shuffle = true;
    private Long seed;
    private int verbose = 1;
    private NDArray validationX, validationY;
    private double validationSplit;
    private int initialEpoch;

    public FitOptions batchSize(int v) {
        if (v <= 0) throw new IllegalArgumentException("fit: expected batch_size > 0. Received: batch_size=" + v);
        batchSize = v;
        return this;
    }

    public FitOptions epochs(int v) {
        if (v < 0) throw new IllegalArgumentException("fit: expected epochs >= 0. Received: epochs=" + v);
        epochs = v;
        return this;
    }

    public FitOptions shuffle(boolean v) {
        shuffle = v;
        return this;
    }

    /** Seeds the per-epoch shuffling; null draws a seed from pyj4's global generator. */
    public FitOptions seed(Long v) {
        seed = v;
        return this;
    }

    /** 0 silent; 1 or 2: one line per epoch on stdout (Python passes 0 when it shows its own progress bar). */
    public FitOptions verbose(int v) {
        verbose = v;
        return this;
    }

    public FitOptions validationX(NDArray v) {
        validationX = v;
        return this;
    }

    public FitOptions validationY(NDArray v) {
        validationY = v;
        return this;
    }

    public FitOptions validationData(NDArray x, NDArray y) { return validationX(x).validationY(y); }

    /** The fraction of samples, taken from the end before shuffling, held out for validation (Keras). */
    public FitOptions validationSplit(double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException("fit: expected 0 <= validation_split < 1. Received: validation_split=" + v);
        validationSplit = v;
        return this;
    }

    /** The epoch to start at (resuming a training); epochs counts up to the last epoch, as Keras. */
    public FitOptions initialEpoch(int v) {
        if (v < 0) throw new IllegalArgumentException("fit: expected initial_epoch >= 0. Received: initial_epoch=" + v);
        initialEpoch = v;
        return this;
    }

    public int batchSize() { return batchSize; }
    public int epochs() { return epochs; }
    public boolean shuffle() { return shuffle; }
    public Long seed() { return seed; }
    public int verbose() { return verbose; }
    public NDArray validationX() { return validationX; }
    public NDArray validationY() { return validationY; }
    public double validationSplit() { return validationSplit; }
    public int initialEpoch() { return initialEpoch; }
}
