package org.pyj4.nn.layers;

import org.pyj4.backend.PoolKind;
import org.pyj4.nn.config.Config;

/** Average pooling over 2-D windows (Keras AveragePooling2D): the mean of each window's values inside the input. */
public final class AveragePooling2D extends Pooling2D {
    public AveragePooling2D(Config c) { super(c, PoolKind.AVG); }

    /** AveragePooling2D(pool_size): square windows, strides = pool size, valid padding. */
    public AveragePooling2D(int poolSize) { this(poolSize, poolSize, "valid"); }

    public AveragePooling2D(int poolSize, int strides, String padding) {
        this(javaConfig("AveragePooling2D", new int[] {poolSize, poolSize}, new int[] {strides, strides}, padding));
    }

    @Override public String className() { return "AveragePooling2D"; }
}
