package org.pyj4.nn.layers;

import com.google.gson.JsonObject;
import org.pyj4.ndarray.DType;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.config.Config;

/** Zeros, Ones, RandomNormal(mean, stddev) and RandomUniform(minval, maxval), with Keras' defaults. */
public final class SimpleInitializer implements Initializer {
    private enum Kind { ZEROS, ONES, RANDOM_NORMAL, RANDOM_UNIFORM }

    private final Kind kind;
    private final double a, b; // mean/stddev or minval/maxval
    private final Long seed;

    private SimpleInitializer(Kind kind, double a, double b, Long seed) {
        this.kind = kind;
        this.a = a;
        this.b = b;
        this.seed = seed;
    }

    public static SimpleInitializer zeros() { return new SimpleInitializer(Kind.ZEROS, 0, 0, null); }
    public static SimpleInitializer ones() { return new SimpleInitializer(Kind.ONES, 0, 0, null); }

    public static SimpleInitializer randomNormal(double mean, double stddev, Long seed) {
        if (!(stddev >= 0)) throw new IllegalArgumentException("RandomNormal: expected stddev >= 0. Received: stddev=" + stddev);
        return new SimpleInitializer(Kind.RANDOM_NORMAL, mean, stddev, seed);
    }

    public static SimpleInitializer randomUniform(double minval, double maxval, Long seed) {
        if (!(minval <= maxval)) {
            throw new IllegalArgumentException("RandomUniform: expected minval <= maxval. Received: minval=" + minval + ", maxval=" + maxval);
        }
        return new SimpleInitializer(Kind.RANDOM_UNIFORM, minval, maxval, seed);
    }

    @Override public NDArray create(long[] shape, DType dtype) {
        switch (kind) {
            case ZEROS: return NDArray.zeros(dtype, shape);
            case ONES: return NDArray.ones(dtype, shape);
            case RANDOM_NORMAL: return Draws.normal(shape, a, b, dtype, seed, 0);
            default: return Draws.uniform(shape, a, b, dtype, seed, 0);
        }
    }

    @Override public String className() {
        switch (kind) {
            case ZEROS: return "Zeros";
            case ONES: return "Ones";
            case RANDOM_NORMAL: return "RandomNormal";
            default: return "RandomUniform";
        }
    }

    @Override public JsonObject config() {
        JsonObject c = new JsonObject();
        if (kind == Kind.RANDOM_NORMAL) {
            c.addProperty("mean", a);
            c.addProperty("stddev", b);
        } else if (kind == Kind.RANDOM_UNIFORM) {
            c.addProperty("minval", a);
            c.addProperty("maxval", b);
        }
        if (kind == Kind.RANDOM_NORMAL || kind == Kind.RANDOM_UNIFORM) c.add("seed", Config.nullable(seed));
        return c;
    }
}
