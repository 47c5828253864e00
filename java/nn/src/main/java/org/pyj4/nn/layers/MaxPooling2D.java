package org.pyj4.nn.layers;

import org.pyj4.backend.PoolKind;
import org.pyj4.nn.config.Config;

/** Max pooling over 2-D windows (Keras MaxPooling2D): the largest value of each window. */
public final class MaxPooling2D extends Pooling2D {
    public MaxPooling2D(Config c) { super(c, PoolKind.MAX); }

    /** MaxPooling2D(pool_size): square windows, strides = pool size, valid padding. */
    public MaxPooling2D(int poolSize) { this(poolSize, poolSize, "valid"); }

    public MaxPooling2D(int poolSize, int strides, String padding) {
        this(javaConfig("MaxPooling2D", new int[] {poolSize, poolSize}, new int[] {strides, strides}, padding));
    }

    @Override public String className() { return "MaxPooling2D"; }
}
