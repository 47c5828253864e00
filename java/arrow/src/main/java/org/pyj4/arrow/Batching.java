package org.pyj4.arrow;

import java.util.SplittableRandom;

/**
 * How a dataset is cut into batches: {@code batchSize} rows each (the last batch may be smaller),
 * in order or shuffled. A shuffled pass {@code epoch} uses a permutation derived from
 * (seed, epoch) alone, so a run is reproducible and every epoch has its own order.
 */
public record Batching(int batchSize, boolean shuffle, long seed) {
    public Batching {
        if (batchSize < 1) throw new IllegalArgumentException("batch_size must be a positive integer. Received: batch_size=" + batchSize);
    }

    /** Batches in the data's order. */
    public static Batching inOrder(int batchSize) { return new Batching(batchSize, false, 0); }

    /** Batches of shuffled rows. */
    public static Batching shuffled(int batchSize, long seed) { return new Batching(batchSize, true, seed); }

    /** The random source of one pass, or null when not shuffling. */
    SplittableRandom random(long epoch) {
        return shuffle ? new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (epoch + 1)) : null;
    }
}
